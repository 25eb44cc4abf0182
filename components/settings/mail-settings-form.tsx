"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { saveMailSettingsAction, sendTestMailAction } from "@/app/(dashboard)/settings/actions";
import { saveSettingsWithTouch } from "./save-with-touch";
import { Alert, Button, Field, Input, Select } from "@/components/ui";
import { useAction } from "@/components/use-action";

export interface MailSettingsView {
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string;
  from: string;
  hasPassword: boolean;
}

/** The mail server for backup alerts: checked by the panel, the password never shown again. */
export function MailSettingsForm({ current, canEdit }: { current: MailSettingsView | null; canEdit: boolean }) {
  const router = useRouter();
  const t = useTranslations("mailForm");
  const tf = useTranslations("forms");
  const { run, running: busy, message, setNotice } = useAction();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
    const input = { ...data, keepPassword: data.clearPassword ? "false" : "true" };
    await run(() => saveSettingsWithTouch("mail", input, saveMailSettingsAction), {
      doing: "save",
      onDone: () => {
        // The password is never shown again, not even the one just typed.
        const password = form.elements.namedItem("password");
        if (password instanceof HTMLInputElement) password.value = "";
        setNotice(t("saved"));
        router.refresh();
      },
    });
  }

  async function onTest() {
    await run(sendTestMailAction, { doing: "test", onDone: ({ to }) => setNotice(t("testSent", { to })) });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <fieldset disabled={!canEdit || busy !== null} className="grid gap-3 sm:grid-cols-4">
        <Field id="m-host" label={t("host")}>
          <Input id="m-host" name="host" defaultValue={current?.host ?? ""} placeholder="smtp.unit.example" required />
        </Field>
        <Field id="m-port" label={t("port")}>
          <Input id="m-port" name="port" defaultValue={String(current?.port ?? 587)} inputMode="numeric" required />
        </Field>
        <Field id="m-security" label={t("security")}>
          <Select id="m-security" name="security" defaultValue={current?.security ?? "starttls"}>
            <option value="starttls">{t("starttls")}</option>
            <option value="tls">{t("tls")}</option>
            <option value="none">{t("none")}</option>
          </Select>
        </Field>
        <Field id="m-from" label={t("from")}>
          <Input
            id="m-from"
            name="from"
            defaultValue={current?.from ?? ""}
            placeholder="Paillasse <paillasse@unit.example>"
            required
          />
        </Field>
        <Field id="m-user" label={t("user")} help={t("userHelp")}>
          <Input id="m-user" name="username" defaultValue={current?.username ?? ""} autoComplete="off" />
        </Field>
        <Field
          id="m-password"
          label={t("password")}
          help={current?.hasPassword ? t("passwordKept") : t("passwordSealed")}
        >
          <Input id="m-password" name="password" type="password" autoComplete="new-password" />
        </Field>
        {current?.hasPassword && (
          <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
            <input type="checkbox" name="clearPassword" value="1" /> {t("forget")}
          </label>
        )}
      </fieldset>
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      {canEdit && (
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={busy !== null}>
            {busy === "save" ? tf("saving") : tf("save")}
          </Button>
          <Button type="button" onClick={onTest} disabled={busy !== null || !current}>
            {busy === "test" ? t("sending") : t("test")}
          </Button>
        </div>
      )}
    </form>
  );
}
