"use client";

import { Copy, UserPlus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { inviteOperatorAction } from "@/app/(dashboard)/operators/actions";
import { withKeyTouch } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { UnitCheckboxes } from "./unit-checkboxes";

const ROLE_HELP = {
  admin: "Everything, including operators, keys and panel settings.",
  operator: "Hosts, instances, deploy, upgrade, backup and restore.",
  correspondant: "Read-only backup status of their own units' instances. Pick at least one unit.",
} as const;

/** Invite someone: after a fresh key touch, a one-time enrolment link is shown once, to copy. */
export function InviteForm({
  units,
  defaultExpiry,
}: {
  units: { id: string; code: string; name: string }[];
  defaultExpiry: string;
}) {
  const router = useRouter();
  const [role, setRole] = useState<keyof typeof ROLE_HELP>("operator");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
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
      setError("A correspondant CLE must belong to at least one unit: tick the unit(s) they answer for.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const data = await withKeyTouch("operator.invite", params, (stepUp) => inviteOperatorAction(params, stepUp));
      setInvite({ email: params.email, ...data });
      setCopied(false);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (invite) {
    return (
      <Card title="Enrolment link">
        <div className="space-y-3 text-sm">
          <p>
            Send this link to <strong>{invite.email}</strong> through a channel you trust. It works once, for their
            security key, until{" "}
            {new Date(invite.expiresAt).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}. It is
            shown only now.
          </p>
          <div className="flex gap-2">
            <Input readOnly value={invite.link} aria-label="Enrolment link" className="mt-0 font-mono text-xs" />
            <Button
              onClick={() => {
                void navigator.clipboard?.writeText(invite.link).then(() => setCopied(true));
              }}
            >
              <Copy aria-hidden className="size-4" />
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <Button onClick={() => setInvite(null)}>Done</Button>
        </div>
      </Card>
    );
  }

  return (
    <Card title="Invite someone">
      <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-2">
        <Field id="invite-email" label="E-mail">
          <Input id="invite-email" name="email" type="email" required autoComplete="off" />
        </Field>
        <Field id="invite-name" label="Name" help="As shown in the panel and the audit log.">
          <Input id="invite-name" name="displayName" maxLength={120} />
        </Field>
        <Field id="invite-role" label="Role" help={ROLE_HELP[role]}>
          <Select
            id="invite-role"
            name="role"
            value={role}
            onChange={(e) => setRole(e.target.value as keyof typeof ROLE_HELP)}
          >
            <option value="operator">Operator</option>
            <option value="correspondant">Correspondant CLE</option>
            <option value="admin">Admin</option>
          </Select>
        </Field>
        <Field id="invite-expires" label="Account expires on" help="The account stops working that day.">
          <Input id="invite-expires" name="expiresAt" type="date" defaultValue={defaultExpiry} required />
        </Field>
        <div className="sm:col-span-2">
          <UnitCheckboxes
            units={units}
            empty="No unit yet: units are created when instances are adopted. Correspondants need one."
          />
        </div>
        <div className="sm:col-span-2">
          {error && (
            <Alert tone="error" className="mb-3">
              {error}
            </Alert>
          )}
          <Button type="submit" variant="primary" disabled={busy}>
            <UserPlus aria-hidden className="size-4" />
            {busy ? "Touch your security key…" : "Invite (confirm with my key)"}
          </Button>
        </div>
      </form>
    </Card>
  );
}
