import type { Actor, RequestContext } from "../../kernel";
import { z } from "zod";
import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import { isLocale, type Locale } from "../../i18n/config";
import { translatorFor } from "../../i18n/translator";
import { formatDateTime } from "../../format";
import { appendAuditEvent, recordAuditEvent, requestedBy } from "../audit/record-audit-event";
import { groupByLocale, type Mailer } from "../alerts/backup-alerts";
import type { Db } from "../db/client";
import { executeOperation } from "../operations/execute";
import type { ExecuteOptions } from "../operations/define";
import { OperationConflict } from "../operations/journal";
import { checkUpgradeRequest, queueUpgrade, type UpgradePlan } from "./upgrade";

/**
 * Scheduled upgrades ("upgrade at 22:00"): one or several instances, one at a time in the order
 * given, stopping at the first upgrade that does not succeed (the instances after it are not
 * started). Each upgrade is the ordinary journaled operation, with its backup and rollback. A
 * schedule can be cancelled until it starts. When it ends, its report is mailed to the units' alert
 * addresses and to the operator who planned it. Checked every minute by a background job (one run
 * at a time across panel processes); a panel that died mid-schedule resumes it at its next start.
 */
const itemSchema = z.object({
  instanceId: z.string(),
  name: z.string(),
  repository: z.string(),
  fromTag: z.string(),
  toTag: z.string(),
  runAs: z.string().optional(),
  operationId: z.string().optional(),
  outcome: z.enum(["succeeded", "failed", "rolled_back", "not_started"]).optional(),
});
export type ScheduledItem = z.infer<typeof itemSchema>;
const itemsSchema = z.array(itemSchema);

export const MAX_SCHEDULED_INSTANCES = 50;
const MAX_AHEAD_MS = 90 * 24 * 3600_000;

/** Plan upgrades for a time; every instance checked now (and again when it starts). Returns the schedule's id. */
export async function scheduleUpgrades(
  db: Db,
  actor: Actor,
  input: { runAt: unknown; items: { instanceId: string; version: unknown; runAs?: unknown }[] },
  context: RequestContext,
  now = new Date(),
): Promise<string> {
  const runAt = typeof input.runAt === "string" || input.runAt instanceof Date ? new Date(input.runAt) : null;
  if (!runAt || Number.isNaN(runAt.getTime())) {
    throw new AppError("bad_input", "The time of the upgrade is not a date and time.", {
      hint: "Choose a day and an hour in the form. Nothing was scheduled.",
    });
  }
  if (runAt.getTime() < now.getTime() + 60_000 || runAt.getTime() > now.getTime() + MAX_AHEAD_MS) {
    throw new AppError("bad_input", "The time of the upgrade must be at least a minute from now and within 90 days.", {
      hint: "To upgrade at once, use Upgrade on the instance's page. Nothing was scheduled.",
    });
  }
  const ids = input.items.map((i) => i.instanceId);
  if (ids.length === 0 || ids.length > MAX_SCHEDULED_INSTANCES) {
    throw new AppError("bad_input", msg`Choose between 1 and ${MAX_SCHEDULED_INSTANCES} instances.`, {
      hint: "Nothing was scheduled.",
    });
  }
  if (new Set(ids).size !== ids.length) {
    throw new AppError("bad_input", "An instance is listed twice.", { hint: "Nothing was scheduled." });
  }
  const plans: UpgradePlan[] = [];
  for (const item of input.items) {
    try {
      plans.push(await checkUpgradeRequest(db, item));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const name = (await db.instance.findUnique({ where: { id: item.instanceId }, select: { name: true } }))?.name;
      throw new AppError(error.code, msg`${name ?? item.instanceId}: ${error.text}`, {
        hint: "Nothing was scheduled.",
      });
    }
  }
  const waiting = await db.upgradeSchedule.findMany({
    where: { state: { in: ["scheduled", "running"] } },
    select: { items: true, runAt: true },
  });
  for (const w of waiting) {
    const busy = itemsSchema.parse(w.items).find((i) => ids.includes(i.instanceId) && !i.outcome);
    if (busy) {
      throw new AppError("conflict", msg`${busy.name} is already in a scheduled upgrade.`, {
        hint: "Cancel that schedule first, or leave this instance out. Nothing was scheduled.",
      });
    }
  }
  const items: ScheduledItem[] = plans.map((p) => ({ ...p }));
  return db.$transaction(async (tx) => {
    const row = await tx.upgradeSchedule.create({
      data: { runAt, items, requestedById: actor.id },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      ...requestedBy(actor, context),
      action: "upgrade.schedule",
      outcome: "success",
      target: { type: "upgrade_schedule", id: row.id },
      params: { runAt: runAt.toISOString(), upgrades: items.map((i) => `${i.name} ${i.fromTag} → ${i.toTag}`) },
    });
    return row.id;
  });
}

/** Cancel a schedule that has not started; refused, with what to do, once it has. */
export async function cancelSchedule(db: Db, actor: Actor, id: string, context: RequestContext): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await tx.upgradeSchedule.updateMany({
      where: { id, state: "scheduled" },
      data: { state: "cancelled", finishedAt: new Date() },
    });
    if (count === 0) {
      const row = await tx.upgradeSchedule.findUnique({ where: { id }, select: { state: true } });
      if (!row) throw new AppError("not_found", "This scheduled upgrade does not exist.", { hint: "Reload the page." });
      throw new AppError("conflict", msg`This scheduled upgrade can no longer be cancelled: it is ${row.state}.`, {
        hint: "An upgrade that started ends upgraded or rolled back by itself; follow it on the Operations page.",
      });
    }
    await appendAuditEvent(tx, {
      ...requestedBy(actor, context),
      action: "upgrade.schedule_cancel",
      outcome: "success",
      target: { type: "upgrade_schedule", id },
    });
  });
}

export interface ScheduleRunOptions {
  execute: ExecuteOptions;
  mailer: Mailer | null;
  panelUrl: string;
  unitLocale?: Locale;
  log?: (line: string) => void;
  now?: () => Date;
  /** How often a running upgrade (run by another worker after a takeover) is looked at. */
  pollMs?: number;
}

const ENDED = ["succeeded", "failed", "rolled_back", "cancelled"] as const;

/** Every schedule that is due (and any left running by a panel that died): run, one after the other. */
export async function runDueSchedules(db: Db, ring: KeyRing, options: ScheduleRunOptions): Promise<number> {
  const now = options.now?.() ?? new Date();
  const due = await db.upgradeSchedule.findMany({
    where: { OR: [{ state: "scheduled", runAt: { lte: now } }, { state: "running" }] },
    orderBy: { runAt: "asc" },
    select: { id: true },
  });
  for (const { id } of due) await runSchedule(db, ring, id, options);
  return due.length;
}

async function runSchedule(db: Db, ring: KeyRing, id: string, options: ScheduleRunOptions): Promise<void> {
  // Claimed from "scheduled" (a cancellation that came first wins), or resumed from "running".
  const claimed = await db.upgradeSchedule.updateMany({
    where: { id, state: "scheduled" },
    data: { state: "running", startedAt: new Date() },
  });
  const row = await db.upgradeSchedule.findUniqueOrThrow({ where: { id } });
  if (row.state !== "running") return;
  if (claimed.count) {
    await recordAuditEvent(db, {
      actor: { type: "system", label: "upgrade schedule" },
      action: "upgrade.schedule_start",
      outcome: "success",
      target: { type: "upgrade_schedule", id },
    });
  }
  const items = itemsSchema.parse(row.items);
  const save = () => db.upgradeSchedule.update({ where: { id }, data: { items } });
  const actor = row.requestedById
    ? await db.operator.findUnique({ where: { id: row.requestedById }, select: { id: true, email: true } })
    : null;
  let stopped = false;
  for (const item of items) {
    if (item.outcome) {
      stopped ||= item.outcome !== "succeeded";
      continue;
    }
    if (stopped) {
      item.outcome = "not_started";
      continue;
    }
    if (!item.operationId) {
      try {
        if (!actor) throw new Error("the operator who planned it no longer exists");
        // Checked again: the instance may have been upgraded or removed since it was planned.
        const plan = await checkUpgradeRequest(db, {
          instanceId: item.instanceId,
          version: item.toTag,
          runAs: item.runAs,
        });
        item.operationId = await queueUpgrade(db, { id: actor.id, email: actor.email, securityKeyId: null }, plan, {
          ip: null,
          userAgent: "upgrade schedule",
        });
      } catch (error) {
        options.log?.(`Scheduled upgrade of ${item.name} refused: ${(error as Error).message}`);
        item.outcome = "failed";
        stopped = true;
        await save();
        continue;
      }
      await save();
    }
    item.outcome = await runToEnd(db, ring, item.operationId, options);
    stopped = item.outcome !== "succeeded";
    await save();
  }
  const state = items.every((i) => i.outcome === "succeeded") ? "succeeded" : "stopped";
  await db.upgradeSchedule.update({ where: { id }, data: { state, finishedAt: new Date(), items } });
  await recordAuditEvent(db, {
    actor: { type: "system", label: "upgrade schedule" },
    action: "upgrade.schedule_end",
    outcome: state === "succeeded" ? "success" : "failure",
    target: { type: "upgrade_schedule", id },
    params: { upgrades: items.map((i) => `${i.name}: ${i.outcome}`) },
  });
  await mailReport(db, id, options);
}

/** Runs the operation here, or waits for the worker that holds it (after a takeover) to end it. */
async function runToEnd(
  db: Db,
  ring: KeyRing,
  operationId: string,
  options: ScheduleRunOptions,
): Promise<"succeeded" | "failed" | "rolled_back"> {
  // Held by another worker (the sweeper handed it out first, or a takeover): that worker ends it.
  const tryExecute = () =>
    executeOperation(db, ring, operationId, options.execute).catch((error: unknown) => {
      if (error instanceof OperationConflict) return "not_runnable" as const;
      throw error;
    });
  const outcome = await tryExecute();
  if (outcome !== "not_runnable") return outcome === "succeeded" || outcome === "rolled_back" ? outcome : "failed";
  for (;;) {
    const op = await db.operation.findUniqueOrThrow({ where: { id: operationId }, select: { state: true } });
    if ((ENDED as readonly string[]).includes(op.state)) {
      return op.state === "succeeded" || op.state === "rolled_back" ? op.state : "failed";
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 2_000));
    const again = await tryExecute();
    if (again !== "not_runnable") return again === "succeeded" || again === "rolled_back" ? again : "failed";
  }
}

/** The report, by language: the units' alert addresses (in the units' language) and the operator who planned it. */
async function mailReport(db: Db, id: string, options: ScheduleRunOptions): Promise<void> {
  const row = await db.upgradeSchedule.findUniqueOrThrow({
    where: { id },
    include: { requestedBy: { select: { email: true, locale: true } } },
  });
  const items = itemsSchema.parse(row.items);
  const unitLocale = options.unitLocale ?? "fr";
  const instances = await db.instance.findMany({
    where: { id: { in: items.map((i) => i.instanceId) } },
    select: { unit: { select: { alertEmails: true } } },
  });
  const byAddress = new Map<string, Locale>();
  for (const i of instances) for (const a of i.unit.alertEmails) byAddress.set(a, unitLocale);
  if (row.requestedBy) {
    byAddress.set(row.requestedBy.email, isLocale(row.requestedBy.locale) ? row.requestedBy.locale : unitLocale);
  }
  const groups = groupByLocale(byAddress);
  if (!options.mailer) {
    await db.upgradeSchedule.update({ where: { id }, data: { mailError: "no mail server is set" } });
    options.log?.(`Scheduled upgrade ${id} ended; no mail server is set, so its report was not mailed.`);
    return;
  }
  try {
    for (const [locale, to] of groups) {
      const t = translatorFor(locale, "mail.upgrades");
      const upgraded = items.filter((i) => i.outcome === "succeeded").length;
      await options.mailer.send({
        to,
        subject:
          row.state === "succeeded"
            ? t("subjectDone", { count: upgraded })
            : t("subjectStopped", { upgraded, total: items.length }),
        text: [
          t("intro", { at: formatDateTime(row.startedAt ?? row.runAt, locale) }),
          "",
          ...items.map(
            (i) =>
              t(i.outcome ?? "not_started", { name: i.name, from: i.fromTag, to: i.toTag }) +
              (i.operationId ? ` ${options.panelUrl}/operations/${i.operationId}` : ""),
          ),
          "",
          row.state === "succeeded" ? t("allDone") : t("stoppedHint", { url: `${options.panelUrl}/upgrades` }),
        ].join("\n"),
      });
    }
    await db.upgradeSchedule.update({ where: { id }, data: { mailedAt: new Date(), mailError: null } });
  } catch (error) {
    const detail = (error as Error).message.slice(0, 300);
    await db.upgradeSchedule.update({ where: { id }, data: { mailError: detail } });
    options.log?.(`Scheduled upgrade ${id}: its report could not be mailed (${detail}).`);
  }
}

/** The latest schedules, newest first, for the Upgrades page. */
export async function findSchedules(db: Db, take = 50) {
  const rows = await db.upgradeSchedule.findMany({
    orderBy: { runAt: "desc" },
    take,
    include: { requestedBy: { select: { email: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    runAt: r.runAt,
    state: r.state,
    items: itemsSchema.parse(r.items),
    requestedBy: r.requestedBy?.email ?? null,
    mailedAt: r.mailedAt,
    mailError: r.mailError,
  }));
}
