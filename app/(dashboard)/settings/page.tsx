import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { Alert, Card, PageHeader } from "@/components/ui";
import { getPanelConfiguration } from "@/lib/server/settings/get-panel-configuration";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db";
import { findMailSettings } from "@/lib/server/alerts/mail-settings";
import { MailSettingsForm } from "@/components/settings/mail-settings-form";
import { SyslogSettingsForm } from "@/components/settings/syslog-settings-form";
import { findSyslogSettings, syslogStatus } from "@/lib/server/audit/syslog";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const operator = await requirePermission("settings.read", "/settings");
  const config = getPanelConfiguration();
  const mail = await findMailSettings(db());
  const syslog = await findSyslogSettings(db());
  const forwarding = syslog ? await syslogStatus(db()) : null;
  const mailFromEnvironment = Boolean(process.env.PANEL_SMTP_URL || process.env.PANEL_SMTP_URL_FILE);
  const rows: [string, string][] = [
    ["Public URL", config.publicUrl],
    ["Listening on", config.listen],
    ["Trusted networks", config.trustedNetworks.join(", ")],
    [
      "Trusted reverse proxies",
      config.trustedProxies.length ? config.trustedProxies.join(", ") : "None (X-Forwarded-For ignored)",
    ],
    [
      "Database",
      config.database === "embedded" ? "Embedded PostgreSQL (data directory)" : "External PostgreSQL (DATABASE_URL)",
    ],
    ["Master key", config.masterKeySource === "file" ? "Read from a key file" : "Read from PANEL_SECRET_KEY"],
    ["Local Docker socket", config.dockerSocket],
    ["Sessions", config.sessionLimits],
    ["Security keys", config.keyPolicy],
    ["Registry for updates", config.registry],
    ["Helper images", config.helperImages],
    ["Log level", config.logLevel],
  ];
  return (
    <>
      <PageHeader
        title="Settings"
        description="The running configuration, read from the environment at start (see .env.example), and the settings the panel keeps. Secrets are never shown."
      />
      <Card title="Running configuration">
        <dl className="grid grid-cols-[12rem_1fr] gap-x-4 gap-y-2 text-sm">
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd className="font-mono text-xs leading-5 text-slate-900">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      <div className="mt-4">
        <Card title="Alert e-mail">
          <p className="mb-3 text-sm text-slate-600">
            Backup failures, stale backups and their recovery are mailed to each unit&apos;s correspondants and alert
            addresses, and to the operators.
          </p>
          {mailFromEnvironment ? (
            <Alert tone="info">
              The mail server is set by PANEL_SMTP_URL in the panel&apos;s environment, which takes precedence over this
              page. Remove it from the environment to manage the server here.
            </Alert>
          ) : (
            <>
              {!mail && (
                <div className="mb-3">
                  <Alert tone="warning">
                    No mail server yet: alerts are only written to the panel&apos;s log. Fill in the form below.
                  </Alert>
                </div>
              )}
              <MailSettingsForm current={mail} canEdit={can(operator.role, "settings.manage")} />
            </>
          )}
        </Card>
      </div>
      <div className="mt-4">
        <Card title="Audit forwarding (syslog)">
          <p className="mb-3 text-sm text-slate-600">
            Every audit event is sent once, in order, to the central log collector as an RFC 5424 message (facility
            &quot;log audit&quot;). While the collector is down, events wait in the panel and are retried; nothing is
            lost.
          </p>
          {forwarding && syslog?.enabled && (
            <div className="mb-3">
              {forwarding.lastError && forwarding.pending > 0 ? (
                <Alert tone="error">
                  {forwarding.pending} event(s) waiting: the last attempt failed (
                  {formatDateTime(forwarding.lastErrorAt)}
                  ): {forwarding.lastError}. They are retried automatically; check the collector.
                </Alert>
              ) : (
                <Alert tone="success">
                  Forwarding works: last event sent {formatDateTime(forwarding.lastSentAt)}, {forwarding.pending}{" "}
                  waiting.
                </Alert>
              )}
            </div>
          )}
          {!syslog && (
            <div className="mb-3">
              <Alert tone="info">
                No collector yet: the audit trail is kept in the panel only. Give the collector below.
              </Alert>
            </div>
          )}
          <SyslogSettingsForm current={syslog} canEdit={can(operator.role, "settings.manage")} />
        </Card>
      </div>
    </>
  );
}
