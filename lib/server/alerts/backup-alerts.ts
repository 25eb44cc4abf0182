import { storedSetting } from "../settings/stored-setting";
import { z } from "zod";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Db } from "../db/client";
import { isLocale, type Locale } from "../../i18n/config";
import { translatorFor } from "../../i18n/translator";
import { localizeServerText } from "../../i18n/server-messages";
import { formatDateTime } from "../../format";
import { findBackupStatus, type InstanceBackupStatus } from "../backups/backup-status";
import { recordAuditEvent } from "../audit/record-audit-event";

/**
 * Backup alerts by e-mail (nodemailer, the maintained SMTP client): when an
 * instance's backups start failing or become stale, its unit's alert
 * addresses, its correspondants and the operators get one mail for the
 * incident; when a good backup is back, one recovery mail. The open
 * incidents live in one setting, so a mail is not repeated every check, and a
 * mail that could not be sent is tried again at the next check.
 */
export interface Mailer {
  send(message: { to: string[]; subject: string; text: string }): Promise<void>;
}

/** A mailer from an smtp(s):// URL (PANEL_SMTP_URL) or from the settings stored in the panel. */
export function smtpMailer(server: string | SMTPTransport.Options, from: string): Mailer {
  const transport = nodemailer.createTransport({
    ...(typeof server === "string" ? { url: server } : server),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  } as SMTPTransport.Options);
  return {
    async send({ to, subject, text }) {
      await transport.sendMail({ from, to, subject, text });
    },
  };
}

export const INCIDENTS_SETTING = "alerts.backup_incidents";

/** Open incidents by instance: rebuilt from the backups' state if the row cannot be read (at worst, one mail again). */
const storedIncidents = storedSetting(
  INCIDENTS_SETTING,
  z.record(z.string(), z.object({ verdict: z.enum(["failing", "stale"]), since: z.string() })),
  { fallback: {} },
);
type Incidents = NonNullable<Awaited<ReturnType<typeof storedIncidents.read>>>;

export const UNDELIVERED_SETTING = "alerts.backup_undelivered";

/**
 * Alerts and recoveries that could not be mailed yet, by instance: said once in the log when they
 * first fail (not at every check), tried again at each check, and shown on the Settings page.
 */
const storedUndelivered = storedSetting(
  UNDELIVERED_SETTING,
  z.record(
    z.string(),
    z.object({
      mail: z.enum(["alert", "recovery"]),
      subject: z.string(),
      since: z.string(),
      reason: z.enum(["no_mail_server", "send_failed"]),
      detail: z.string().nullable(),
    }),
  ),
  { fallback: {} },
);
export type UndeliveredAlert = NonNullable<Awaited<ReturnType<typeof storedUndelivered.read>>>[string];

/** What could not be mailed, oldest first (for the Settings page). */
export async function findUndeliveredAlerts(db: Db): Promise<UndeliveredAlert[]> {
  const stored = (await storedUndelivered.read(db)) ?? {};
  return Object.values(stored).sort((a, b) => a.since.localeCompare(b.since));
}

/**
 * Who is told, grouped by the language they read: operators in the one they
 * chose in the panel, the unit's alert addresses in `unitLocale`.
 */
async function recipientsFor(
  db: Db,
  instanceId: string,
  now: Date,
  unitLocale: Locale,
): Promise<Map<Locale, string[]>> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: instanceId },
    select: { unit: { select: { id: true, alertEmails: true } } },
  });
  const people = await db.operator.findMany({
    where: {
      disabledAt: null,
      expiresAt: { gt: now },
      OR: [
        { role: { in: ["admin", "operator"] } },
        { role: "correspondant", memberships: { some: { unitId: instance.unit.id } } },
      ],
    },
    select: { email: true, locale: true },
  });
  const byAddress = new Map<string, Locale>(instance.unit.alertEmails.map((a) => [a, unitLocale]));
  // An address that is also an operator's gets the operator's language.
  for (const p of people) byAddress.set(p.email, isLocale(p.locale) ? p.locale : unitLocale);
  return groupByLocale(byAddress);
}

/** Addresses (each with the language it reads) grouped by language, each group sorted: one mail per group. */
export function groupByLocale(byAddress: Map<string, Locale>): Map<Locale, string[]> {
  const groups = new Map<Locale, string[]>();
  for (const [address, locale] of [...byAddress].sort(([a], [b]) => a.localeCompare(b))) {
    groups.set(locale, [...(groups.get(locale) ?? []), address]);
  }
  return groups;
}

type Mail = (locale: Locale) => { subject: string; text: string };

function alertMail(status: InstanceBackupStatus, problem: "failing" | "stale", panelUrl: string): Mail {
  return (locale) => {
    const t = translatorFor(locale, "mail.backup");
    const names = { instance: status.name, unit: status.unit.code, unitName: status.unit.name };
    const reason = status.failures[0]?.reason;
    return {
      subject: t(problem === "failing" ? "subjectFailing" : "subjectStale", names),
      text: [
        t("instance", names),
        "",
        problem === "failing"
          ? reason
            ? t("failing", { reason: localizeServerText(reason, locale) })
            : t("failingNoReason")
          : (status.ageHours ?? 0) <= status.maxAgeHours && status.offsite
            ? status.offsite.lastAt
              ? t("offsiteStale", {
                  repository: status.offsite.repository,
                  hours: Math.round(status.offsite.ageHours ?? 0),
                  max: status.maxAgeHours,
                })
              : t("offsiteNever", { repository: status.offsite.repository })
            : t("stale", { hours: Math.round(status.ageHours ?? 0), max: status.maxAgeHours }),
        status.lastSuccess ? t("lastGood", { at: formatDateTime(status.lastSuccess.at, locale) }) : t("noGood"),
        "",
        t("whatToDo", { url: `${panelUrl}/backups` }),
        t("oneMore"),
      ].join("\n"),
    };
  };
}

function recoveryMail(status: InstanceBackupStatus, since: string, panelUrl: string): Mail {
  return (locale) => {
    const t = translatorFor(locale, "mail.backup");
    const names = { instance: status.name, unit: status.unit.code, unitName: status.unit.name };
    return {
      subject: t("subjectRecovered", names),
      text: [
        t("recovered", { ...names, at: formatDateTime(status.lastSuccess?.at ?? null, locale) }),
        t("closed", { since: formatDateTime(new Date(since), locale), url: `${panelUrl}/backups` }),
      ].join("\n"),
    };
  };
}

export async function checkBackupAlerts(
  db: Db,
  mailer: Mailer | null,
  options: { now?: Date; panelUrl: string; log?: (line: string) => void; unitLocale?: Locale },
): Promise<{ alerts: string[]; recoveries: string[]; failed: string[] }> {
  const now = options.now ?? new Date();
  // The units' alert addresses are read in French unless told otherwise: the panel's users are French units.
  const unitLocale = options.unitLocale ?? "fr";
  const statuses = await findBackupStatus(db, { id: "", role: "admin" }, now);
  const incidents: Incidents = { ...((await storedIncidents.read(db)) ?? {}) };
  const result = { alerts: [] as string[], recoveries: [] as string[], failed: [] as string[] };
  const undelivered = { ...((await storedUndelivered.read(db)) ?? {}) };
  /** A mail not sent is logged once, when it first fails, then kept to be tried at the next checks. */
  const notSent = (instanceId: string, kind: "alert" | "recovery", mail: Mail, failure: DeliveryFailure) => {
    const subject = mail("en").subject;
    const known = undelivered[instanceId];
    if (!known || known.mail !== kind || known.reason !== failure.reason) {
      options.log?.(
        failure.reason === "no_mail_server"
          ? `Not mailed (no mail server: set one in Settings → Alert e-mail, or PANEL_SMTP_URL): ${subject}. Tried again at each check; said once.`
          : `The alert could not be mailed (${failure.detail}); it is tried again at each check: ${subject}.`,
      );
    }
    undelivered[instanceId] = {
      mail: kind,
      subject,
      since: known && known.mail === kind ? known.since : now.toISOString(),
      reason: failure.reason,
      detail: failure.detail,
    };
    result.failed.push(instanceId);
  };
  for (const status of statuses) {
    const open = incidents[status.instanceId];
    const problem = status.verdict === "failing" || status.verdict === "stale" ? status.verdict : null;
    if (problem && !open) {
      const mail = alertMail(status, problem, options.panelUrl);
      const sent = await deliver(db, mailer, status, mail, now, unitLocale);
      if (sent === true) {
        incidents[status.instanceId] = { verdict: problem, since: now.toISOString() };
        delete undelivered[status.instanceId];
        result.alerts.push(status.instanceId);
      } else notSent(status.instanceId, "alert", mail, sent);
    } else if (!problem && open) {
      const mail = recoveryMail(status, open.since, options.panelUrl);
      const sent = await deliver(db, mailer, status, mail, now, unitLocale);
      if (sent === true) {
        delete incidents[status.instanceId];
        delete undelivered[status.instanceId];
        result.recoveries.push(status.instanceId);
      } else notSent(status.instanceId, "recovery", mail, sent);
    } else if (!problem && !open) {
      // Recovered before its alert could ever be sent: nothing is left to say.
      delete undelivered[status.instanceId];
    }
  }
  // Instances that left the inventory close their incidents silently.
  for (const id of Object.keys(incidents)) if (!statuses.some((s) => s.instanceId === id)) delete incidents[id];
  for (const id of Object.keys(undelivered)) if (!statuses.some((s) => s.instanceId === id)) delete undelivered[id];
  await storedIncidents.write(db, incidents);
  await storedUndelivered.write(db, undelivered);
  return result;
}

interface DeliveryFailure {
  reason: "no_mail_server" | "send_failed";
  detail: string | null;
}

async function deliver(
  db: Db,
  mailer: Mailer | null,
  status: InstanceBackupStatus,
  mail: Mail,
  now: Date,
  unitLocale: Locale,
): Promise<true | DeliveryFailure> {
  if (!mailer) return { reason: "no_mail_server", detail: null };
  const groups = await recipientsFor(db, status.instanceId, now, unitLocale);
  if (!groups.size) return true;
  const sent: { locale: Locale; subject: string; recipients: number }[] = [];
  try {
    // One mail per language; if one fails, the whole alert is tried again at the next check.
    for (const [locale, to] of groups) {
      const { subject, text } = mail(locale);
      await mailer.send({ to, subject, text });
      sent.push({ locale, subject, recipients: to.length });
    }
  } catch (error) {
    return { reason: "send_failed", detail: (error as Error).message.slice(0, 300) };
  }
  await recordAuditEvent(db, {
    actor: { type: "system", label: "alerts" },
    action: "alert.backup",
    outcome: "success",
    target: { type: "instance", id: status.instanceId },
    instanceId: status.instanceId,
    params: { subject: mail("en").subject, mails: sent },
  });
  return true;
}
