"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { assignPolicyAction, createPolicyAction, setUnitAlertEmailsAction } from "@/app/(dashboard)/backups/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { useAction } from "@/components/use-action";

/** A new backup policy: every field checked by the panel, the destination tried for writing. */
export function PolicyForm({ defaultDestination }: { defaultDestination: string }) {
  const router = useRouter();
  const t = useTranslations("policyForm");
  const tf = useTranslations("forms");
  const { run, pending: busy, error } = useAction();
  const [saved, setSaved] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    setSaved(null);
    await run(() => createPolicyAction(data), {
      onDone: () => {
        setSaved(t("saved", { name: data.name ?? "" }));
        form.reset();
        router.refresh();
      },
    });
  }

  return (
    <Card title={t("title")}>
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="p-name" label={t("name")}>
            <Input id="p-name" name="name" placeholder={t("namePlaceholder")} required maxLength={100} />
          </Field>
          <Field id="p-schedule" label={t("schedule")} help={t("scheduleHelp")}>
            <Input id="p-schedule" name="schedule" defaultValue="30 2 * * *" required />
          </Field>
          <Field id="p-tz" label={t("timezone")}>
            <Input id="p-tz" name="timezone" defaultValue="Europe/Paris" required />
          </Field>
          <Field id="p-days" label={t("days")} help={t("daysHelp")}>
            <Input id="p-days" name="retentionDays" defaultValue="60" inputMode="numeric" required />
          </Field>
          <Field id="p-last" label={t("keepLast")} help={t("keepLastHelp")}>
            <Input id="p-last" name="keepLast" defaultValue="7" inputMode="numeric" required />
          </Field>
          <Field id="p-verify" label={t("verify")}>
            <Select id="p-verify" name="verifyAfterBackup" defaultValue="true">
              <option value="true">{t("verifyAfter")}</option>
              <option value="false">{t("verifyNo")}</option>
            </Select>
          </Field>
        </div>
        <Field id="p-dest" label={t("destination")} help={t("destinationHelp")}>
          <Input id="p-dest" name="destinationDir" defaultValue={defaultDestination} required />
        </Field>
        <Field id="p-recipients" label={t("recipients")} help={t("recipientsHelp")}>
          <textarea
            id="p-recipients"
            name="extraRecipients"
            rows={3}
            className="mt-1 w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs text-slate-900"
          />
        </Field>
        {error && <Alert tone="error">{error}</Alert>}
        {saved && <Alert tone="success">{saved}</Alert>}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? tf("saving") : t("savePolicy")}
        </Button>
      </form>
    </Card>
  );
}

/** The policy an instance is under (or none). */
export function PolicySelect({
  instanceId,
  current,
  policies,
}: {
  instanceId: string;
  current: string | null;
  policies: { id: string; label: string }[];
}) {
  const t = useTranslations("policyForm");
  const router = useRouter();
  const [value, setValue] = useState(current ?? "");
  const { run, pending: busy, error } = useAction();
  async function save() {
    await run(() => assignPolicyAction(instanceId, value || null), { onDone: () => router.refresh() });
  }
  return (
    <div className="flex flex-wrap items-end gap-2">
      <Field id={`policy-${instanceId}`} label={t("policy")}>
        <Select id={`policy-${instanceId}`} value={value} onChange={(e) => setValue(e.target.value)}>
          <option value="">{t("none")}</option>
          {policies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </Select>
      </Field>
      <Button onClick={save} disabled={busy || value === (current ?? "")}>
        {busy ? t("saving") : t("apply")}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </div>
  );
}

/** A unit's alert addresses (besides its correspondants and the operators). */
export function UnitAlertsForm({ unit }: { unit: { id: string; label: string; alertEmails: string[] } }) {
  const t = useTranslations("policyForm");
  const router = useRouter();
  const [value, setValue] = useState(unit.alertEmails.join("\n"));
  const { run, pending: busy, message, setNotice } = useAction();
  async function save() {
    await run(() => setUnitAlertEmailsAction(unit.id, value), {
      onDone: (emails) => {
        setNotice(t("alertsSaved", { count: emails.length }));
        router.refresh();
      },
    });
  }
  return (
    <div className="grid gap-2 sm:grid-cols-[12rem_1fr_auto] sm:items-start">
      <label htmlFor={`alerts-${unit.id}`} className="pt-1.5 text-sm font-medium text-slate-800">
        {unit.label}
      </label>
      <textarea
        id={`alerts-${unit.id}`}
        rows={2}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        placeholder="labo-it@unit.example"
        className="w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900"
      />
      <Button onClick={save} disabled={busy}>
        {busy ? t("saving") : t("save")}
      </Button>
      {message && (
        <div className="sm:col-span-3">
          <Alert tone={message.tone}>{message.text}</Alert>
        </div>
      )}
    </div>
  );
}
