"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { KeyRound, Pencil } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { completeAddKeyAction, renameMyKeyAction, revokeMyKeyAction } from "@/app/(dashboard)/keys/actions";
import { Alert, Button, Card, Field, Input } from "@/components/ui";
import { ceremonyErrorMessage } from "./ceremony";
import { KeyConfirmButton, touchKeyFor } from "./key-confirm";

/**
 * Add a key: first a touch of a key you already have (proves it is you, now),
 * then the new key's registration. Both happen in this one click.
 */
export function AddKeyForm() {
  const router = useRouter();
  const [name, setName] = useState("Spare key");
  const [phase, setPhase] = useState<"idle" | "current" | "new">("idle");
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setAdded(null);
    try {
      setPhase("current");
      const stepUp = await touchKeyFor("key.add", {});
      const res = await fetch("/api/webauthn/keys", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ stepUp }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.message ?? "The panel could not start the registration. Try again.");
      setPhase("new");
      const response = await startRegistration({ optionsJSON: body });
      const result = await completeAddKeyAction({ name, response: JSON.stringify(response) });
      if (!result.ok) throw new Error(result.message);
      setAdded(name);
      router.refresh();
    } catch (e) {
      setError(ceremonyErrorMessage(e, "No key was added; try again."));
    } finally {
      setPhase("idle");
    }
  }

  return (
    <Card title="Add a key">
      <form onSubmit={onSubmit} className="space-y-3">
        <p className="text-sm text-slate-600">
          You will touch a key you already have, then the new key. Keep a spare key somewhere safe: if you lose your
          only key, an administrator has to send you a new enrolment link.
        </p>
        <div className="max-w-sm">
          <Field id="new-key-name" label="Name of the new key" help="e.g. “Spare key in the safe”.">
            <Input id="new-key-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={60} required />
          </Field>
        </div>
        {error && <Alert tone="error">{error}</Alert>}
        {added && <Alert tone="info">The key “{added}” is registered.</Alert>}
        <Button type="submit" variant="primary" disabled={phase !== "idle"}>
          <KeyRound aria-hidden className="size-4" />
          {phase === "current"
            ? "Touch a key you already have…"
            : phase === "new"
              ? "Now touch the new key…"
              : "Add a key"}
        </Button>
      </form>
    </Card>
  );
}

export function RenameKey({ keyId, name }: { keyId: string; name: string }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const result = await renameMyKeyAction({ keyId, name: value });
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setError(null);
    setEditing(false);
    router.refresh();
  }

  if (!editing) {
    return (
      <span className="inline-flex items-center gap-1.5">
        {name}
        <button
          type="button"
          onClick={() => setEditing(true)}
          className="rounded p-0.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
          aria-label={`Rename ${name}`}
        >
          <Pencil aria-hidden className="size-3.5" />
        </button>
      </span>
    );
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-1.5">
      <Input
        aria-label="New name"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        maxLength={60}
        className="mt-0 w-48"
        autoFocus
      />
      <Button type="submit">Save</Button>
      <Button type="button" variant="ghost" onClick={() => setEditing(false)}>
        Cancel
      </Button>
      {error && <span className="w-full text-xs text-red-800">{error}</span>}
    </form>
  );
}

export function RevokeMyKeyButton({
  keyId,
  name,
  last,
  current,
}: {
  keyId: string;
  name: string;
  last: boolean;
  current: boolean;
}) {
  const params = { keyId };
  return (
    <KeyConfirmButton
      label="Revoke"
      variant="danger"
      title={`Revoke your key “${name}”?`}
      action="key.revoke"
      params={params}
      run={(stepUp) => revokeMyKeyAction(params, stepUp)}
    >
      {last
        ? "This is your last active key: the panel will refuse, because you could no longer sign in. Add another key first."
        : current
          ? "You signed in with this key: this session ends now and you sign in again with another of your keys. The key will no longer sign in; it stays listed as revoked."
          : "This key will no longer sign in, and any session opened with it ends now. It stays listed as revoked."}
    </KeyConfirmButton>
  );
}
