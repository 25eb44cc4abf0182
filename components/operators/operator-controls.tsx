"use client";

import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import {
  endSessionsAction,
  revokeOperatorKeyAction,
  setOperatorDisabledAction,
  updateOperatorAction,
} from "@/app/(dashboard)/operators/actions";
import { KeyConfirmButton, withKeyTouch } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { useAction } from "@/components/use-action";
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
  const t = useTranslations("opForm");
  const tr = useTranslations("roles");
  const tk = useTranslations("keyConfirm");
  const { run, pending: busy, error } = useAction();
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
    setSaved(false);
    await run(() => withKeyTouch("operator.update", params, (stepUp) => updateOperatorAction(params, stepUp)), {
      onDone: () => {
        setSaved(true);
        router.refresh();
      },
    });
  }

  return (
    <Card title={t("title")}>
      <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-2">
        <Field id="op-name" label={t("name")}>
          <Input id="op-name" name="displayName" defaultValue={operator.displayName} maxLength={120} required />
        </Field>
        <Field id="op-role" label={t("role")}>
          <Select id="op-role" name="role" defaultValue={operator.role}>
            <option value="admin">{tr("admin")}</option>
            <option value="operator">{tr("operator")}</option>
            <option value="correspondant">{tr("correspondant")}</option>
          </Select>
        </Field>
        <Field id="op-expires" label={t("expires")}>
          <Input id="op-expires" name="expiresAt" type="date" defaultValue={operator.expiresAt} required />
        </Field>
        <UnitCheckboxes units={units} checked={operator.unitIds} empty={t("noUnit")} />
        <div className="sm:col-span-2">
          {error && (
            <Alert tone="error" className="mb-3">
              {error}
            </Alert>
          )}
          {saved && (
            <Alert tone="info" className="mb-3">
              {t("saved")}
            </Alert>
          )}
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? tk("touch") : t("submit")}
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
  const t = useTranslations("opForm");
  const params = { operatorId, disabled: !disabled };
  return disabled ? (
    <KeyConfirmButton
      label={t("enable")}
      title={t("enableTitle", { email })}
      action="operator.enable"
      params={params}
      run={(stepUp) => setOperatorDisabledAction(params, stepUp)}
    >
      {t("enableBody")}
    </KeyConfirmButton>
  ) : (
    <KeyConfirmButton
      label={t("disable")}
      variant="danger"
      title={t("disableTitle", { email })}
      action="operator.disable"
      params={params}
      run={(stepUp) => setOperatorDisabledAction(params, stepUp)}
    >
      {t("disableBody")}
    </KeyConfirmButton>
  );
}

export function EndSessionsButton({ operatorId, count }: { operatorId: string; count: number }) {
  const t = useTranslations("opForm");
  const params = { operatorId };
  return (
    <KeyConfirmButton
      label={t("endSessions", { count })}
      title={t("endSessionsTitle")}
      action="operator.end_sessions"
      params={params}
      run={(stepUp) => endSessionsAction(params, stepUp)}
      disabled={count === 0}
    >
      {t("endSessionsBody")}
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
  const t = useTranslations("opForm");
  const params = { operatorId, keyId };
  return (
    <KeyConfirmButton
      label={t("revoke")}
      variant="danger"
      title={t("revokeTitle", { name })}
      action="operator.revoke_key"
      params={params}
      run={(stepUp) => revokeOperatorKeyAction(params, stepUp)}
    >
      {t("revokeBody")}
    </KeyConfirmButton>
  );
}
