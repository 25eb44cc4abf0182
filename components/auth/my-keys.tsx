"use client";

import { startRegistration } from "@simplewebauthn/browser";
import { KeyRound, Pencil } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { completeAddKeyAction, renameMyKeyAction, revokeMyKeyAction } from "@/app/(dashboard)/keys/actions";
import { Alert, Button, Card, Field, Input } from "@/components/ui";
import { ceremonyErrorMessage } from "./ceremony";
import { KeyConfirmButton, touchKeyFor } from "./key-confirm";
import { useAction } from "@/components/use-action";

/**
 * Add a key: first a touch of a key you already have (proves it is you, now),
 * then the new key's registration. Both happen in this one click.
 */
export function AddKeyForm() {
  const router = useRouter();
  const t = useTranslations("myKeys");
  const [name, setName] = useState(() => t("defaultName"));
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
      if (!res.ok) throw new Error(body.message ?? t("cannotStart"));
      setPhase("new");
      const response = await startRegistration({ optionsJSON: body });
      const result = await completeAddKeyAction({ name, response: JSON.stringify(response) });
      if (!result.ok) throw new Error(result.message);
      setAdded(name);
      router.refresh();
    } catch (e) {
      setError(ceremonyErrorMessage(e, t("noneAdded")));
    } finally {
      setPhase("idle");
    }
  }

  return (
    <Card title={t("addTitle")}>
      <form onSubmit={onSubmit} className="space-y-3">
        <p className="text-sm text-slate-600">{t("addLead")}</p>
        <div className="max-w-sm">
          <Field id="new-key-name" label={t("newName")} help={t("newNameHelp")}>
            <Input id="new-key-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={60} required />
          </Field>
        </div>
        {error && <Alert tone="error">{error}</Alert>}
        {added && <Alert tone="info">{t("added", { name: added })}</Alert>}
        <Button type="submit" variant="primary" disabled={phase !== "idle"}>
          <KeyRound aria-hidden className="size-4" />
          {phase === "current" ? t("touchCurrent") : phase === "new" ? t("touchNew") : t("add")}
        </Button>
      </form>
    </Card>
  );
}

export function RenameKey({ keyId, name }: { keyId: string; name: string }) {
  const router = useRouter();
  const t = useTranslations("myKeys");
  const tc = useTranslations("common");
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  const { run, pending, error } = useAction();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    await run(() => renameMyKeyAction({ keyId, name: value }), {
      onDone: () => {
        setEditing(false);
        router.refresh();
      },
    });
  }

  if (!editing) {
    return (
      <span className="inline-flex items-center gap-1.5">
        {name}
        <button
          type="button"
          onClick={() => setEditing(true)}
          className="rounded p-0.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
          aria-label={t("rename", { name })}
        >
          <Pencil aria-hidden className="size-3.5" />
        </button>
      </span>
    );
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-1.5">
      <Input
        aria-label={t("newNameLabel")}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        maxLength={60}
        className="mt-0 w-48"
        autoFocus
      />
      <Button type="submit" disabled={pending}>
        {t("save")}
      </Button>
      <Button type="button" variant="ghost" onClick={() => setEditing(false)} disabled={pending}>
        {tc("cancel")}
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
  const t = useTranslations("myKeys");
  const params = { keyId };
  return (
    <KeyConfirmButton
      label={t("revoke")}
      variant="danger"
      title={t("revokeTitle", { name })}
      action="key.revoke"
      params={params}
      run={(stepUp) => revokeMyKeyAction(params, stepUp)}
    >
      {last ? t("revokeLast") : current ? t("revokeCurrent") : t("revokeOther")}
    </KeyConfirmButton>
  );
}
