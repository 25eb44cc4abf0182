"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { Button } from "@/components/ui";
import { ceremonyErrorMessage, signInAndGo } from "./ceremony";
import { FormError } from "./form-error";

/** The token travels in the URL fragment: never sent to a server log or in a Referer. */
export function EnrolForm() {
  const router = useRouter();
  // null while rendering on the server, the fragment once in the browser.
  const fragment = useSyncExternalStore(
    subscribeToHash,
    () => window.location.hash,
    () => null,
  );
  const token = fragment === null ? null : fragment.replace(/^#/, "");
  const t = useTranslations("enrol");
  const tk = useTranslations("keyConfirm");
  const [keyName, setKeyName] = useState(() => t("defaultName"));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/webauthn/enrol", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.message ?? t("cannotStart"));
      const response = await startRegistration({ optionsJSON: body });
      await signInAndGo(router, "enrol", { token, keyName, response: JSON.stringify(response) }, t("failed"));
    } catch (e) {
      setError(ceremonyErrorMessage(e, t("usedUp")));
      setBusy(false);
    }
  }

  if (token === "") {
    return <FormError>{t("needFragment")}</FormError>;
  }

  return (
    <form onSubmit={onSubmit} className="mt-5 space-y-4">
      <div>
        <label htmlFor="key-name" className="block text-sm font-medium text-slate-800">
          {t("name")}
        </label>
        <input
          id="key-name"
          value={keyName}
          onChange={(e) => setKeyName(e.target.value)}
          maxLength={60}
          required
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
        />
        <p className="mt-1 text-xs text-slate-500">{t("nameHelp")}</p>
      </div>
      <Button type="submit" variant="primary" disabled={busy || token === null} className="w-full justify-center py-2">
        <KeyRound aria-hidden className="size-4" />
        {busy ? tk("touch") : t("submit")}
      </Button>
      {error && <FormError>{error}</FormError>}
    </form>
  );
}

function subscribeToHash(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}
