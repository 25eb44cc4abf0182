import type { Metadata } from "next";
import { connection } from "next/server";
import { EnrolForm } from "@/components/auth/enrol-form";

export const metadata: Metadata = { title: "Register your security key" };

export default async function EnrolPage() {
  // Rendered per request: the CSP nonce of this response must reach its scripts.
  await connection();
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Register your security key</h1>
      <p className="mt-1 text-sm text-slate-600">
        This one-time link registers a hardware security key (FIDO2) for your account. Keep the key at hand: you will
        touch it and enter its PIN.
      </p>
      <EnrolForm />
    </>
  );
}
