import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { connection } from "next/server";
import { EnrolForm } from "@/components/auth/enrol-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("enrol"))("title") };
}

export default async function EnrolPage() {
  // Rendered per request: the CSP nonce of this response must reach its scripts.
  await connection();
  const t = await getTranslations("enrol");
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{t("title")}</h1>
      <p className="mt-1 text-sm text-slate-600">{t("lead")}</p>
      <EnrolForm />
    </>
  );
}
