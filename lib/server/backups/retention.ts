import { rm } from "node:fs/promises";
import type { KeyRing } from "../../crypto";
import { msg } from "../../i18n/message";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { loadRepository } from "../repositories/repositories";
import { resticFailure, runRestic } from "../repositories/restic";
import { listSnapshots } from "../repositories/snapshots";

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

/**
 * Apply the rule to one instance. Restore points in encrypted files are deleted; snapshots in a
 * restic repository are forgotten and the repository pruned (what no kept snapshot uses goes),
 * except in an append-only repository, whose retention is its server's job: there the rows stay.
 */
export async function pruneBackups(db: Db, instanceId: string, now = new Date(), ring?: KeyRing): Promise<string[]> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: instanceId },
    select: {
      name: true,
      unitId: true,
      webHostId: true,
      backupPolicy: { select: { retentionDays: true, keepLast: true } },
      backups: {
        where: { status: "succeeded" },
        select: {
          id: true,
          createdAt: true,
          verificationStatus: true,
          location: true,
          format: true,
          repositoryId: true,
          snapshotId: true,
        },
      },
    },
  });
  const rule = instance.backupPolicy ?? DEFAULT_RETENTION;
  const { prune } = decideRetention(
    instance.backups.map((b) => ({ id: b.id, createdAt: b.createdAt, verified: b.verificationStatus === "passed" })),
    rule,
    now,
  );
  const pruned: string[] = [];
  const snapshots = new Map<string, { id: string; snapshotId: string }[]>();
  for (const id of prune) {
    const backup = instance.backups.find((b) => b.id === id)!;
    if (backup.format === "restic") {
      if (!backup.repositoryId || !backup.snapshotId) continue;
      snapshots.set(backup.repositoryId, [
        ...(snapshots.get(backup.repositoryId) ?? []),
        { id, snapshotId: backup.snapshotId },
      ]);
    } else {
      if (backup.location) await rm(backup.location, { recursive: true, force: true });
      pruned.push(id);
    }
  }
  if (ring) {
    for (const [repositoryId, entries] of snapshots) {
      const repo = await loadRepository(db, ring, repositoryId);
      if (repo.appendOnly) continue;
      const client = await clientFor(db, ring, instance.webHostId);
      // A snapshot already gone (forgotten by hand, or by a run that stopped before it recorded so) is
      // pruned as far as the inventory goes; only the ones still there are given to restic.
      const present = new Set((await listSnapshots(client, repo)).map((s) => s.id));
      const gone = entries.filter((e) => !present.has(e.snapshotId));
      pruned.push(...gone.map((e) => e.id));
      const there = entries.filter((e) => present.has(e.snapshotId));
      if (!there.length) continue;
      // Locks left by a helper that was killed (a panel stopped mid-backup) would block the prune: only
      // stale ones go (`unlock` leaves a live backup's lock alone).
      await runRestic(client, repo, { args: ["unlock"], timeoutMs: 300_000 });
      const result = await runRestic(client, repo, {
        args: ["forget", "--prune", ...there.map((e) => e.snapshotId)],
        timeoutMs: 3_600_000,
      });
      if (result.exitCode !== 0) throw resticFailure(repo.name, msg`Forgetting old snapshots`, result);
      pruned.push(...there.map((e) => e.id));
    }
  }
  for (const id of pruned) {
    const backup = instance.backups.find((b) => b.id === id)!;
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
  return pruned;
}
