import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentOperator } from "@/lib/auth/current-operator";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  await connection();
  if (await currentOperator()) redirect("/");
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Sign in</h1>
      <p className="mt-1 text-sm text-slate-600">
        Insert or tap your registered security key, then enter its PIN when asked. There is no password.
      </p>
      <SignInForm />
      <p className="mt-5 text-xs text-slate-500">
        No key yet, or lost it? Ask an administrator for an enrolment link. The first administrator is created on the
        panel&apos;s host with <code className="font-mono">npm run operator:invite</code>.
      </p>
    </>
  );
}
