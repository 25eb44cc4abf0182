import { CronExpressionParser } from "cron-parser";
import type { Db } from "../db/client";
import { instanceScope, type Viewer } from "../scope";
import { asMessage, msg, storedText, type Wording } from "../../i18n/message";

/**
 * The backup status of each instance the viewer may see (a correspondant:
 * their units' instances): last good restore point and its age, last
 * verification, sizes over time, recent failures, next scheduled run.
 * Instances without a recent proven backup come first.
 */
export interface InstanceBackupStatus {
  instanceId: string;
  name: string;
  unit: { code: string; name: string };
  lastSuccess: {
    at: Date;
    totalBytes: number | null;
    /** What it added to its restic repository (deduplicated, compressed); null for encrypted files. */
    addedBytes: number | null;
    /** Where it is: the repository's name, or null for encrypted files in the policy's destination. */
    repository: string | null;
  } | null;
  ageHours: number | null;
  /** The policy's off-site copy, when it has one: the repository and the newest copy's time. */
  offsite: { repository: string; lastAt: Date | null; ageHours: number | null } | null;
  lastVerification: { at: Date; passed: boolean; reason: Wording | null } | null;
  sizes: { at: string; databaseBytes: number; uploadsBytes: number }[];
  failures: { at: Date; reason: Wording }[];
  nextRun: Date | null;
  schedule: string | null;
  maxAgeHours: number;
  verdict: "ok" | "stale" | "failing" | "never";
}

/** How old the newest good backup may be before the instance counts as stale. */
export const DEFAULT_MAX_AGE_HOURS = 36;

/** Why a backup failed: its message when it was stored, else its English text. */
export function backupFailureReason(backup: { error: string | null; errorText: unknown }): Wording | null {
  return storedText(backup.errorText) ?? backup.error;
}

/** Why a verification failed, from Backup.verificationDetails. */
export function verificationFailureReason(details: unknown): Wording | null {
  const reason = (details && typeof details === "object" ? (details as { reason?: unknown }).reason : null) ?? null;
  return storedText(reason);
}

export function nextRunOf(schedule: string, timeZone: string, after: Date): Date | null {
  try {
    return CronExpressionParser.parse(schedule, { tz: timeZone, currentDate: after }).next().toDate();
  } catch {
    return null;
  }
}

export async function findBackupStatus(db: Db, viewer: Viewer, now: Date): Promise<InstanceBackupStatus[]> {
  const since = new Date(now.getTime() - 90 * 24 * 3600_000);
  const instances = await db.instance.findMany({
    where: instanceScope(viewer),
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      unit: { select: { code: true, name: true } },
      backupPolicy: {
        select: {
          schedule: true,
          timezone: true,
          enabled: true,
          offsiteRepository: { select: { id: true, name: true } },
        },
      },
      backups: {
        where: { createdAt: { gte: since } },
        orderBy: { createdAt: "desc" },
        take: 200,
        select: {
          status: true,
          createdAt: true,
          finishedAt: true,
          totalBytes: true,
          databaseBytes: true,
          uploadsBytes: true,
          error: true,
          errorText: true,
          verificationStatus: true,
          verifiedAt: true,
          verificationDetails: true,
          addedBytes: true,
          repository: { select: { name: true } },
          offsiteRepositoryId: true,
          offsiteCopiedAt: true,
        },
      },
    },
  });
  const rank = { failing: 0, never: 1, stale: 2, ok: 3 } as const;
  return instances
    .map((i): InstanceBackupStatus => {
      const good = i.backups.filter((b) => b.status === "succeeded");
      const last = good[0];
      const verified = i.backups.find(
        (b) => b.verifiedAt && (b.verificationStatus === "passed" || b.verificationStatus === "failed"),
      );
      const failures = i.backups
        .filter((b) => b.status === "failed" || b.verificationStatus === "failed")
        .slice(0, 5)
        .map((b) => ({
          at: b.finishedAt ?? b.createdAt,
          reason:
            b.status === "failed"
              ? msg`Backup failed: ${asMessage(backupFailureReason(b) ?? "no reason recorded")}`
              : msg`Verification failed: ${asMessage(verificationFailureReason(b.verificationDetails) ?? "no reason recorded")}`,
        }));
      const at = last ? (last.finishedAt ?? last.createdAt) : null;
      const ageHours = at ? (now.getTime() - at.getTime()) / 3600_000 : null;
      const policy = i.backupPolicy?.enabled ? i.backupPolicy : null;
      const newest = i.backups[0];
      const failing =
        !!newest &&
        (newest.status === "failed" || (newest.status === "succeeded" && newest.verificationStatus === "failed"));
      const offsiteRepo = i.backupPolicy?.offsiteRepository ?? null;
      const lastCopy = offsiteRepo
        ? (good.find((b) => b.offsiteRepositoryId === offsiteRepo.id && b.offsiteCopiedAt)?.offsiteCopiedAt ?? null)
        : null;
      const copyAgeHours = lastCopy ? (now.getTime() - lastCopy.getTime()) / 3600_000 : null;
      // Either place going stale is a stale instance: the off-site copy is what survives the building.
      const offsiteStale =
        offsiteRepo !== null && !!last && (copyAgeHours === null || copyAgeHours > DEFAULT_MAX_AGE_HOURS);
      const verdict: InstanceBackupStatus["verdict"] = failing
        ? "failing"
        : !last
          ? "never"
          : ageHours! > DEFAULT_MAX_AGE_HOURS || offsiteStale
            ? "stale"
            : "ok";
      return {
        instanceId: i.id,
        name: i.name,
        unit: i.unit,
        lastSuccess: last
          ? {
              at: at!,
              totalBytes: last.totalBytes === null ? null : Number(last.totalBytes),
              addedBytes: last.addedBytes === null ? null : Number(last.addedBytes),
              repository: last.repository?.name ?? null,
            }
          : null,
        ageHours,
        offsite: offsiteRepo ? { repository: offsiteRepo.name, lastAt: lastCopy, ageHours: copyAgeHours } : null,
        lastVerification: verified
          ? {
              at: verified.verifiedAt!,
              passed: verified.verificationStatus === "passed",
              reason: verificationFailureReason(verified.verificationDetails),
            }
          : null,
        sizes: good
          .slice()
          .reverse()
          .map((b) => ({
            at: (b.finishedAt ?? b.createdAt).toISOString(),
            databaseBytes: Number(b.databaseBytes ?? 0),
            uploadsBytes: Number(b.uploadsBytes ?? 0),
          })),
        failures,
        nextRun: policy ? nextRunOf(policy.schedule, policy.timezone, now) : null,
        schedule: policy?.schedule ?? null,
        maxAgeHours: DEFAULT_MAX_AGE_HOURS,
        verdict,
      };
    })
    .sort((a, b) => rank[a.verdict] - rank[b.verdict] || a.name.localeCompare(b.name));
}
