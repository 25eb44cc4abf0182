"use client";

import { useState, type FormEvent } from "react";
import {
  endSessionsAction,
  revokeOperatorKeyAction,
  setOperatorDisabledAction,
  updateOperatorAction,
} from "@/app/(dashboard)/operators/actions";
import { KeyConfirmButton, withKeyTouch } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { UnitCheckboxes } from "./unit-checkboxes";
import { useRouter } from "next/navigation";

type Role = "admin" | "operator" | "correspondant";

/** Name, role, units and expiry of one operator; saved after a key touch bound to exactly these values. */
export function OperatorForm({
  operator,
  units,
}: {
  operator: { id: string; displayName: string; role: Role; expiresAt: string; unitIds: string[] };
  units: { id: string; code: string; name: string }[];
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = {
      operatorId: operator.id,
      displayName: String(form.get("displayName") ?? "").trim(),
      role: String(form.get("role") ?? ""),
      expiresAt: String(form.get("expiresAt") ?? ""),
      unitIds: form.getAll("unitIds").map(String),
    };
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await withKeyTouch("operator.update", params, (stepUp) => updateOperatorAction(params, stepUp));
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Account">
      <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-2">
        <Field id="op-name" label="Name">
          <Input id="op-name" name="displayName" defaultValue={operator.displayName} maxLength={120} required />
        </Field>
        <Field id="op-role" label="Role">
          <Select id="op-role" name="role" defaultValue={operator.role}>
            <option value="admin">Admin</option>
            <option value="operator">Operator</option>
            <option value="correspondant">Correspondant CLE</option>
          </Select>
        </Field>
        <Field id="op-expires" label="Account expires on">
          <Input id="op-expires" name="expiresAt" type="date" defaultValue={operator.expiresAt} required />
        </Field>
        <UnitCheckboxes units={units} checked={operator.unitIds} empty="No unit yet." />
        <div className="sm:col-span-2">
          {error && (
            <Alert tone="error" className="mb-3">
              {error}
            </Alert>
          )}
          {saved && (
            <Alert tone="info" className="mb-3">
              Saved.
            </Alert>
          )}
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? "Touch your security key…" : "Save (confirm with my key)"}
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function DisableButton({
  operatorId,
  email,
  disabled,
}: {
  operatorId: string;
  email: string;
  disabled: boolean;
}) {
  const params = { operatorId, disabled: !disabled };
  return disabled ? (
    <KeyConfirmButton
      label="Enable account"
      title={`Enable ${email}?`}
      action="operator.enable"
      params={params}
      run={(stepUp) => setOperatorDisabledAction(params, stepUp)}
    >
      They can sign in again with their active keys.
    </KeyConfirmButton>
  ) : (
    <KeyConfirmButton
      label="Disable account"
      variant="danger"
      title={`Disable ${email}?`}
      action="operator.disable"
      params={params}
      run={(stepUp) => setOperatorDisabledAction(params, stepUp)}
    >
      Their sessions end at their next click and their keys stop working. Their history stays in the audit log; the
      account can be enabled again later.
    </KeyConfirmButton>
  );
}

export function EndSessionsButton({ operatorId, count }: { operatorId: string; count: number }) {
  const params = { operatorId };
  return (
    <KeyConfirmButton
      label={`End sessions (${count})`}
      title="End every session of this operator?"
      action="operator.end_sessions"
      params={params}
      run={(stepUp) => endSessionsAction(params, stepUp)}
      disabled={count === 0}
    >
      Each open browser of theirs goes back to the sign-in page at its next click; they sign in again with their key.
    </KeyConfirmButton>
  );
}

export function RevokeOperatorKeyButton({
  operatorId,
  keyId,
  name,
}: {
  operatorId: string;
  keyId: string;
  name: string;
}) {
  const params = { operatorId, keyId };
  return (
    <KeyConfirmButton
      label="Revoke"
      variant="danger"
      title={`Revoke the key “${name}”?`}
      action="operator.revoke_key"
      params={params}
      run={(stepUp) => revokeOperatorKeyAction(params, stepUp)}
    >
      This key will no longer sign in, and sessions opened with it end now. The key stays listed as revoked. The last
      active key of an account cannot be revoked.
    </KeyConfirmButton>
  );
}
