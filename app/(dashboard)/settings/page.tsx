import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { requirePermission } from "@/lib/auth/authorize";
import { Alert, Card, PageHeader } from "@/components/ui";
import { getPanelConfiguration } from "@/lib/server/settings/get-panel-configuration";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/server/db/web";
import { findMailSettings } from "@/lib/server/alerts/mail-settings";
import { findUndeliveredAlerts } from "@/lib/server/alerts/backup-alerts";
import { MailSettingsForm } from "@/components/settings/mail-settings-form";
import { SyslogSettingsForm } from "@/components/settings/syslog-settings-form";
import { findSyslogSettings, syslogStatus } from "@/lib/server/audit/syslog";
import { formatDateTime } from "@/lib/format";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("title") };
}

export default async function SettingsPage() {
  const operator = await requirePermission("settings.read", "/settings");
  const config = getPanelConfiguration();
  const t = await getTranslations("settings");
  const locale = await getLocale();
  const mail = await findMailSettings(db());
  const undelivered = await findUndeliveredAlerts(db());
  const syslog = await findSyslogSettings(db());
  const forwarding = syslog ? await syslogStatus(db()) : null;
  const mailFromEnvironment = Boolean(process.env.PANEL_SMTP_URL || process.env.PANEL_SMTP_URL_FILE);
  const rows: [string, string][] = [
    [t("row.publicUrl"), config.publicUrl],
    [t("row.listen"), config.listen],
    [t("row.trustedNetworks"), config.trustedNetworks.join(", ")],
    [t("row.trustedProxies"), config.trustedProxies.length ? config.trustedProxies.join(", ") : t("row.noProxies")],
    [t("row.database"), config.database === "embedded" ? t("row.embedded") : t("row.external")],
    [t("row.masterKey"), config.masterKeySource === "file" ? t("row.keyFile") : t("row.keyEnv")],
    [t("row.socket"), config.dockerSocket],
    [
      t("row.sessions"),
      t("row.sessionsValue", { hours: config.session.maxHours, minutes: config.session.idleMinutes }),
    ],
    [
      t("row.keys"),
      config.approvedKeyModelsFile ? t("row.keysApproved", { file: config.approvedKeyModelsFile }) : t("row.keysAny"),
    ],
    [
      t("row.registry"),
      config.registry.username
        ? t("row.registryAs", { url: config.registry.url, user: config.registry.username })
        : t("row.registryAnonymous", { url: config.registry.url }),
    ],
    [t("row.helpers"), config.helperImages.length ? config.helperImages.join(", ") : t("row.helpersAny")],
    [t("row.logLevel"), config.logLevel],
  ];
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Card title={t("running")}>
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
        <Card title={t("mailTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("mailLead")}</p>
          {undelivered.length > 0 && (
            <div className="mb-3">
              <Alert tone="error">
                {t("undelivered", {
                  count: undelivered.length,
                  since: formatDateTime(new Date(undelivered[0]!.since), locale),
                })}{" "}
                {undelivered.some((u) => u.reason === "no_mail_server")
                  ? t("undeliveredNoServer")
                  : t("undeliveredRefused")}
                <ul className="mt-1 list-disc pl-5">
                  {undelivered.map((u) => (
                    <li key={`${u.subject}-${u.since}`}>
                      {u.subject}
                      {u.detail ? ` (${u.detail})` : ""}
                    </li>
                  ))}
                </ul>
              </Alert>
            </div>
          )}
          {mailFromEnvironment ? (
            <Alert tone="info">{t("mailFromEnv")}</Alert>
          ) : (
            <>
              {!mail && (
                <div className="mb-3">
                  <Alert tone="warning">{t("mailNone")}</Alert>
                </div>
              )}
              <MailSettingsForm current={mail} canEdit={can(operator.role, "settings.manage")} />
            </>
          )}
        </Card>
      </div>
      <div className="mt-4">
        <Card title={t("syslogTitle")}>
          <p className="mb-3 text-sm text-slate-600">{t("syslogLead")}</p>
          {forwarding && syslog?.enabled && (
            <div className="mb-3">
              {forwarding.lastError && forwarding.pending > 0 ? (
                <Alert tone="error">
                  {t("syslogFailing", {
                    pending: forwarding.pending,
                    at: formatDateTime(forwarding.lastErrorAt, locale),
                    error: forwarding.lastError,
                  })}
                </Alert>
              ) : (
                <Alert tone="success">
                  {t("syslogWorks", { at: formatDateTime(forwarding.lastSentAt, locale), pending: forwarding.pending })}
                </Alert>
              )}
            </div>
          )}
          {!syslog && (
            <div className="mb-3">
              <Alert tone="info">{t("syslogNone")}</Alert>
            </div>
          )}
          <SyslogSettingsForm current={syslog} canEdit={can(operator.role, "settings.manage")} />
        </Card>
      </div>
    </>
  );
}
