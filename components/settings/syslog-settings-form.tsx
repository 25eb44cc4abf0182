"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { forwardAuditNowAction, saveSyslogSettingsAction } from "@/app/(dashboard)/settings/actions";
import { saveSettingsWithTouch } from "./save-with-touch";
import { Alert, Button, Field, Input, Select, Textarea } from "@/components/ui";
import { useAction } from "@/components/use-action";

export interface SyslogSettingsView {
  enabled: boolean;
  transport: "udp" | "tcp" | "tls";
  host: string;
  port: number;
  caPem: string;
}

/** Where the audit trail is forwarded: an RFC 5424 syslog collector over UDP, TCP or TLS. */
export function SyslogSettingsForm({ current, canEdit }: { current: SyslogSettingsView | null; canEdit: boolean }) {
  const router = useRouter();
  const t = useTranslations("syslogForm");
  const tf = useTranslations("forms");
  const { run, running: busy, message, setNotice } = useAction();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const input = { ...data, enabled: data.enabled ? "true" : "false" };
    await run(() => saveSettingsWithTouch("syslog", input, saveSyslogSettingsAction), {
      doing: "save",
      onDone: () => {
        setNotice(data.enabled ? t("savedOn") : t("savedOff"));
        router.refresh();
      },
    });
  }

  async function onForward() {
    await run(forwardAuditNowAction, { doing: "forward", onDone: (sent) => setNotice(t("forwarded", sent)) });
    // Events sent before a failure count too.
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <fieldset disabled={!canEdit || busy !== null} className="grid gap-3 sm:grid-cols-4">
        <label className="flex items-center gap-2 text-sm text-slate-800 sm:col-span-4">
          <input type="checkbox" name="enabled" value="1" defaultChecked={current?.enabled ?? true} /> {t("enabled")}
        </label>
        <Field id="s-transport" label={t("transport")}>
          <Select id="s-transport" name="transport" defaultValue={current?.transport ?? "tls"}>
            <option value="tls">{t("tls")}</option>
            <option value="tcp">{t("tcp")}</option>
            <option value="udp">{t("udp")}</option>
          </Select>
        </Field>
        <Field id="s-host" label={t("host")}>
          <Input
            id="s-host"
            name="host"
            defaultValue={current?.host ?? ""}
            placeholder="syslog.unit.example"
            required
          />
        </Field>
        <Field id="s-port" label={t("port")}>
          <Input id="s-port" name="port" defaultValue={String(current?.port ?? 6514)} inputMode="numeric" required />
        </Field>
        <div className="sm:col-span-4">
          <Field id="s-ca" label={t("ca")} help={t("caHelp")}>
            <Textarea
              id="s-ca"
              name="caPem"
              rows={3}
              defaultValue={current?.caPem ?? ""}
              placeholder="-----BEGIN CERTIFICATE-----"
            />
          </Field>
        </div>
      </fieldset>
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      {canEdit && (
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={busy !== null}>
            {busy === "save" ? tf("saving") : tf("save")}
          </Button>
          <Button type="button" onClick={onForward} disabled={busy !== null || !current?.enabled}>
            {busy === "forward" ? t("forwarding") : t("forward")}
          </Button>
        </div>
      )}
    </form>
  );
}
