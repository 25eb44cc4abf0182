"use client";

import { Copy, UserPlus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { inviteOperatorAction } from "@/app/(dashboard)/operators/actions";
import { withKeyTouch } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { UnitCheckboxes } from "./unit-checkboxes";
import { useAction } from "@/components/use-action";

type Role = "admin" | "operator" | "correspondant";

/** Invite someone: after a fresh key touch, a one-time enrolment link is shown once, to copy. */
export function InviteForm({
  units,
  defaultExpiry,
}: {
  units: { id: string; code: string; name: string }[];
  defaultExpiry: string;
}) {
  const router = useRouter();
  const t = useTranslations("invite");
  const tr = useTranslations("roles");
  const tk = useTranslations("keyConfirm");
  const locale = useLocale();
  const [role, setRole] = useState<Role>("operator");
  const { run, pending: busy, error, setError } = useAction();
  const [invite, setInvite] = useState<{ email: string; link: string; expiresAt: string } | null>(null);
  const [copied, setCopied] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = {
      email: String(form.get("email") ?? "").trim(),
      displayName: String(form.get("displayName") ?? "").trim() || undefined,
      role,
      expiresAt: String(form.get("expiresAt") ?? "") || undefined,
      unitIds: form.getAll("unitIds").map(String),
    };
    if (role === "correspondant" && params.unitIds.length === 0) {
      setError(t("needUnit"));
      return;
    }
    await run(() => withKeyTouch("operator.invite", params, (stepUp) => inviteOperatorAction(params, stepUp)), {
      onDone: (data) => {
        setInvite({ email: params.email, ...data });
        setCopied(false);
        router.refresh();
      },
    });
  }

  if (invite) {
    return (
      <Card title={t("linkTitle")}>
        <div className="space-y-3 text-sm">
          <p>
            {t.rich("linkBody", {
              email: invite.email,
              time: new Date(invite.expiresAt).toLocaleTimeString(locale === "fr" ? "fr-FR" : "en-GB", {
                hour: "2-digit",
                minute: "2-digit",
              }),
              strong: (chunks) => <strong>{chunks}</strong>,
            })}
          </p>
          <div className="flex gap-2">
            <Input
              readOnly
              autoFocus
              value={invite.link}
              aria-label={t("linkTitle")}
              className="mt-0 font-mono text-xs"
            />
            <Button
              onClick={() => {
                void navigator.clipboard?.writeText(invite.link).then(() => setCopied(true));
              }}
            >
              <Copy aria-hidden className="size-4" />
              {copied ? t("copied") : t("copy")}
            </Button>
          </div>
          <Button onClick={() => setInvite(null)}>{t("done")}</Button>
        </div>
      </Card>
    );
  }

  return (
    <Card title={t("title")}>
      <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-2">
        <Field id="invite-email" label={t("email")}>
          <Input id="invite-email" name="email" type="email" required autoComplete="off" />
        </Field>
        <Field id="invite-name" label={t("name")} help={t("nameHelp")}>
          <Input id="invite-name" name="displayName" maxLength={120} />
        </Field>
        <Field id="invite-role" label={t("role")} help={t(`roleHelp.${role}`)}>
          <Select id="invite-role" name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="operator">{tr("operator")}</option>
            <option value="correspondant">{tr("correspondant")}</option>
            <option value="admin">{tr("admin")}</option>
          </Select>
        </Field>
        <Field id="invite-expires" label={t("expires")} help={t("expiresHelp")}>
          <Input id="invite-expires" name="expiresAt" type="date" defaultValue={defaultExpiry} required />
        </Field>
        <div className="sm:col-span-2">
          <UnitCheckboxes units={units} empty={t("noUnit")} />
        </div>
        <div className="sm:col-span-2">
          {error && (
            <Alert tone="error" className="mb-3">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="primary" disabled={busy}>
            <UserPlus aria-hidden className="size-4" />
            {busy ? tk("touch") : t("submit")}
          </Button>
        </div>
      </form>
    </Card>
  );
}
