import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { getTranslations } from "next-intl/server";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentOperator } from "@/lib/auth/current-operator";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("login"))("title") };
}

export default async function LoginPage() {
  await connection();
  if (await currentOperator()) redirect("/");
  const t = await getTranslations("login");
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{t("title")}</h1>
      <p className="mt-1 text-sm text-slate-600">{t("lead")}</p>
      <SignInForm />
      <p className="mt-5 text-xs text-slate-500">
        {t.rich("help", { code: (chunks) => <code className="font-mono">{chunks}</code> })}
      </p>
    </>
  );
}
