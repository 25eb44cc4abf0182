import { CronExpressionParser } from "cron-parser";
import type { Db } from "../db/client";
import { OperationConflict } from "../operations/journal";
import { requestBackup } from "./create-backup";

/**
 * Scheduled backups. Every minute one scheduler run (a "stately" pg-boss
 * queue: one at a time across every panel process) looks, for each instance
 * under an enabled policy, at the latest slot of the policy's cron. If no
 * scheduled backup was requested since that slot, one is: its job carries the
 * slot key "backup:<instance>:<slot>", and the journal holds the instance, so
 * two replicas never run the same slot twice. A panel that was down catches
 * up once, at the next minute.
 */
export function latestSlot(schedule: string, timeZone: string, now: Date): Date | null {
  try {
    return CronExpressionParser.parse(schedule, { tz: timeZone, currentDate: now }).prev().toDate();
  } catch {
    return null;
  }
}

export interface DueBackup {
  instanceId: string;
  slot: Date;
}

export async function dueBackups(db: Db, now: Date): Promise<DueBackup[]> {
  const instances = await db.instance.findMany({
    where: { backupPolicy: { enabled: true } },
    select: { id: true, createdAt: true, backupPolicy: { select: { schedule: true, timezone: true } } },
  });
  const due: DueBackup[] = [];
  for (const instance of instances) {
    const slot = latestSlot(instance.backupPolicy!.schedule, instance.backupPolicy!.timezone, now);
    if (!slot) continue;
    const requested = await db.operation.count({
      where: {
        kind: "backup",
        instanceId: instance.id,
        createdAt: { gte: slot },
        params: { path: ["trigger"], equals: "scheduled" },
      },
    });
    if (requested === 0) due.push({ instanceId: instance.id, slot });
  }
  return due;
}

/** Request the due backups; returns their operations with the slot key for the queue. */
export async function requestDueBackups(db: Db, now: Date): Promise<{ operationId: string; slotKey: string }[]> {
  const requested: { operationId: string; slotKey: string }[] = [];
  for (const { instanceId, slot } of await dueBackups(db, now)) {
    try {
      const operationId = await requestBackup(db, null, { instanceId, trigger: "scheduled" }, null);
      requested.push({ operationId, slotKey: `backup:${instanceId}:${slot.toISOString()}` });
    } catch (error) {
      // Another operation holds the instance (an upgrade, a manual backup): the next minute tries again.
      if (!(error instanceof OperationConflict)) throw error;
    }
  }
  return requested;
}
