import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { Prisma } from "../../generated/prisma/client";
import type { Db } from "../db/client";
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

interface Incident {
  verdict: "failing" | "stale";
  since: string;
}

type Incidents = Record<string, Incident>;

async function recipientsFor(db: Db, instanceId: string, now: Date): Promise<string[]> {
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
    select: { email: true },
  });
  return [...new Set([...instance.unit.alertEmails, ...people.map((p) => p.email)])].sort();
}

function describe(status: InstanceBackupStatus): string {
  if (status.verdict === "failing") {
    return status.failures[0]?.reason ?? "The newest backup failed.";
  }
  return `The newest good backup is ${Math.round(status.ageHours ?? 0)} hours old (more than ${status.maxAgeHours} hours).`;
}

export async function checkBackupAlerts(
  db: Db,
  mailer: Mailer | null,
  options: { now?: Date; panelUrl: string; log?: (line: string) => void },
): Promise<{ alerts: string[]; recoveries: string[]; failed: string[] }> {
  const now = options.now ?? new Date();
  const statuses = await findBackupStatus(db, { id: "", role: "admin" }, now);
  const row = await db.setting.findUnique({ where: { key: INCIDENTS_SETTING }, select: { value: true } });
  const incidents: Incidents = { ...((row?.value as unknown as Incidents | undefined) ?? {}) };
  const result = { alerts: [] as string[], recoveries: [] as string[], failed: [] as string[] };
  for (const status of statuses) {
    const open = incidents[status.instanceId];
    const problem = status.verdict === "failing" || status.verdict === "stale" ? status.verdict : null;
    if (problem && !open) {
      const subject = `[Paillasse] Backups ${problem === "failing" ? "failing" : "stale"}: ${status.name} (${status.unit.code})`;
      const text = [
        `Instance ${status.name} of ${status.unit.code} · ${status.unit.name}.`,
        "",
        describe(status),
        status.lastSuccess
          ? `Last good backup: ${status.lastSuccess.at.toISOString()}.`
          : "There is no good backup of this instance.",
        "",
        `What to do: open ${options.panelUrl}/backups to see the reason, fix it, then run a backup from the instance page.`,
        "You will get one more mail when a good backup is back.",
      ].join("\n");
      if (await deliver(db, mailer, status, subject, text, now, options.log)) {
        incidents[status.instanceId] = { verdict: problem, since: now.toISOString() };
        result.alerts.push(status.instanceId);
      } else result.failed.push(status.instanceId);
    } else if (!problem && open) {
      const subject = `[Paillasse] Backups back to normal: ${status.name} (${status.unit.code})`;
      const text = [
        `Instance ${status.name} of ${status.unit.code} · ${status.unit.name} has a good backup again`,
        status.lastSuccess ? `(${status.lastSuccess.at.toISOString()}).` : ".",
        `The incident opened ${open.since} is closed. Details: ${options.panelUrl}/backups`,
      ].join(" ");
      if (await deliver(db, mailer, status, subject, text, now, options.log)) {
        delete incidents[status.instanceId];
        result.recoveries.push(status.instanceId);
      } else result.failed.push(status.instanceId);
    }
  }
  // Instances that left the inventory close their incidents silently.
  for (const id of Object.keys(incidents)) if (!statuses.some((s) => s.instanceId === id)) delete incidents[id];
  await db.setting.upsert({
    where: { key: INCIDENTS_SETTING },
    create: { key: INCIDENTS_SETTING, value: incidents as unknown as Prisma.InputJsonValue },
    update: { value: incidents as unknown as Prisma.InputJsonValue },
  });
  return result;
}

async function deliver(
  db: Db,
  mailer: Mailer | null,
  status: InstanceBackupStatus,
  subject: string,
  text: string,
  now: Date,
  log?: (line: string) => void,
): Promise<boolean> {
  if (!mailer) {
    log?.(`Not mailed (no mail server: set one in Settings → Alert e-mail, or PANEL_SMTP_URL): ${subject}`);
    return false;
  }
  const to = await recipientsFor(db, status.instanceId, now);
  if (!to.length) return true;
  try {
    await mailer.send({ to, subject, text });
  } catch (error) {
    log?.(`The alert could not be mailed (${(error as Error).message}); it is tried again at the next check.`);
    return false;
  }
  await recordAuditEvent(db, {
    actor: { type: "system", label: "alerts" },
    action: "alert.backup",
    outcome: "success",
    target: { type: "instance", id: status.instanceId },
    instanceId: status.instanceId,
    params: { subject, recipients: to.length },
  });
  return true;
}
