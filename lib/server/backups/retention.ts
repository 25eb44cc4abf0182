import { rm } from "node:fs/promises";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";

/**
 * Retention: restore points older than the policy's days are deleted, except
 * the last K successful ones and, always, the newest verified one (a
 * retention rule must never leave an instance without a proven backup).
 * Instances without a policy keep 60 days and the last 7, as the reference
 * installation does. Every deletion is in the audit trail.
 */
export const DEFAULT_RETENTION = { retentionDays: 60, keepLast: 7 } as const;

export interface PruneDecision {
  keep: string[];
  prune: string[];
}

/** Decide, from the instance's successful backups (any order), which to keep. Pure. */
export function decideRetention(
  backups: { id: string; createdAt: Date; verified: boolean }[],
  rule: { retentionDays: number; keepLast: number },
  now: Date,
): PruneDecision {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const cutoff = now.getTime() - rule.retentionDays * 24 * 3600_000;
  const newestVerified = newestFirst.find((b) => b.verified)?.id;
  const keep: string[] = [];
  const prune: string[] = [];
  newestFirst.forEach((b, index) => {
    const protectedOne = index < rule.keepLast || b.id === newestVerified || b.createdAt.getTime() >= cutoff;
    (protectedOne ? keep : prune).push(b.id);
  });
  return { keep, prune };
}

export async function pruneBackups(db: Db, instanceId: string, now = new Date()): Promise<string[]> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: instanceId },
    select: {
      name: true,
      unitId: true,
      backupPolicy: { select: { retentionDays: true, keepLast: true } },
      backups: {
        where: { status: "succeeded" },
        select: { id: true, createdAt: true, verificationStatus: true, location: true },
      },
    },
  });
  const rule = instance.backupPolicy ?? DEFAULT_RETENTION;
  const { prune } = decideRetention(
    instance.backups.map((b) => ({ id: b.id, createdAt: b.createdAt, verified: b.verificationStatus === "passed" })),
    rule,
    now,
  );
  for (const id of prune) {
    const backup = instance.backups.find((b) => b.id === id)!;
    if (backup.location) await rm(backup.location, { recursive: true, force: true });
    await db.backup.update({ where: { id }, data: { status: "pruned", prunedAt: now } });
    await recordAuditEvent(db, {
      actor: { type: "system", label: "retention" },
      action: "backup.pruned",
      outcome: "success",
      target: { type: "backup", id },
      instanceId,
      unitId: instance.unitId,
      params: {
        name: instance.name,
        takenAt: backup.createdAt.toISOString(),
        retentionDays: rule.retentionDays,
        keepLast: rule.keepLast,
      },
    });
  }
  return prune;
}
