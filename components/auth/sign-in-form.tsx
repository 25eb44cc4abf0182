"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui";
import { ceremonyErrorMessage, signInAndGo } from "./ceremony";
import { FormError } from "./form-error";

export function SignInForm() {
  const router = useRouter();
  const t = useTranslations("login");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSignIn() {
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/webauthn/sign-in", { method: "POST" });
      if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message ?? t("cannotStart"));
      const response = await startAuthentication({ optionsJSON: await res.json() });
      await signInAndGo(router, "key", { response: JSON.stringify(response) }, t("failed"));
    } catch (e) {
      setError(ceremonyErrorMessage(e));
      setBusy(false);
    }
  }

  return (
    <div className="mt-5">
      <Button variant="primary" onClick={onSignIn} disabled={busy} className="w-full justify-center py-2">
        <KeyRound aria-hidden className="size-4" />
        {busy ? t("waiting") : t("button")}
      </Button>
      {error && <FormError>{error}</FormError>}
    </div>
  );
}
