"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
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
  const [keyName, setKeyName] = useState("Security key");
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
      if (!res.ok)
        throw new Error(body.message ?? "The panel could not start the registration. Reload the page and try again.");
      const response = await startRegistration({ optionsJSON: body });
      await signInAndGo(
        router,
        "enrol",
        { token, keyName, response: JSON.stringify(response) },
        "The key could not be registered.",
      );
    } catch (e) {
      setError(ceremonyErrorMessage(e, "This link may now be used up: ask for a new one if it fails again."));
      setBusy(false);
    }
  }

  if (token === "") {
    return (
      <FormError>
        This page needs the whole enrolment link, including the part after #. Copy it again from the message you
        received.
      </FormError>
    );
  }

  return (
    <form onSubmit={onSubmit} className="mt-5 space-y-4">
      <div>
        <label htmlFor="key-name" className="block text-sm font-medium text-slate-800">
          Name of this key
        </label>
        <input
          id="key-name"
          value={keyName}
          onChange={(e) => setKeyName(e.target.value)}
          maxLength={60}
          required
          className="mt-1 w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm"
        />
        <p className="mt-1 text-xs text-slate-500">
          So you can tell your keys apart later, e.g. “Blue YubiKey” or “Spare key in the safe”.
        </p>
      </div>
      <Button type="submit" variant="primary" disabled={busy || token === null} className="w-full justify-center py-2">
        <KeyRound aria-hidden className="size-4" />
        {busy ? "Touch your security key…" : "Register this key"}
      </Button>
      {error && <FormError>{error}</FormError>}
    </form>
  );
}

function subscribeToHash(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}
