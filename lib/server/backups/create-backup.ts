import type { Actor, RequestContext } from "../../kernel";
import { rm } from "node:fs/promises";
import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { defineOperation } from "../operations/define";
import { createOperation, OperationConflict, type StepDefinition, type SendJob } from "../operations/journal";
import { pruneBackups } from "./retention";
import { requestVerification } from "./verify-backup";
import { z } from "zod";
import { asMessage } from "../../i18n/message";
import { instanceLoader } from "./backup-streams";
import type { BackupEnv, BackupOptions, BackupResults, BackupStepBody } from "./steps/env";
import { prepareStep } from "./steps/prepare";
import { dataStep } from "./steps/data";
import { manifestStep } from "./steps/manifest";
import { repositoryStep } from "./steps/repository";
import { snapshotStep } from "./steps/snapshot";
import { offsiteStep } from "./steps/offsite";

/**
 * One restore point of one instance: the database dump, the uploads archive
 * and a manifest, under <destination>/<unit>/<instance>/<UTC time>/. Both
 * data files are compressed and encrypted (age) on their way from the
 * container to the disk; the directory is built under a ".partial" name and
 * renamed only once complete, so a failed or interrupted backup leaves
 * nothing that looks like a restore point.
 */
export const BACKUP_STEPS = [
  { key: "prepare", title: "Check the instance and the destination" },
  { key: "data", title: "Dump the database and archive the uploads" },
  { key: "manifest", title: "Write the manifest and seal the restore point" },
] as const;

/**
 * The same restore point as one restic snapshot, when the instance's policy names a repository:
 * deduplicated (a backup costs what changed), the uploads read on the host, instance.json inside.
 */
export const RESTIC_BACKUP_STEPS = [
  { key: "repository", title: "Check the instance and open the repository" },
  { key: "snapshot", title: "Dump the database and write the snapshot" },
  // Only when the policy has an off-site repository.
  { key: "offsite", title: "Copy the snapshot to the off-site repository" },
] as const;

/** The restic path's steps for a plan: the off-site copy only when there is an off-site repository. */
const resticSteps = (offsite: boolean) => RESTIC_BACKUP_STEPS.filter((s) => offsite || s.key !== "offsite");

export { DUMP_FLAGS, MYSQL_ONLY_FLAGS, dumpDatabaseTo, type UploadEntry } from "./backup-streams";

/** The params of a backup operation (version 1); `name` is the instance's, for the operations list. */
export const backupPlanSchema = z.object({
  instanceId: z.string().min(1),
  name: z.string().optional(),
  trigger: z.enum(["scheduled", "manual", "pre_upgrade", "pre_restore"]),
  /** The restic repository, chosen from the policy when the backup is requested (absent: encrypted files). */
  repositoryId: z.string().min(1).optional(),
  /** The policy's off-site repository, where the new snapshot is copied. */
  offsiteRepositoryId: z.string().min(1).optional(),
});
export type BackupPlan = z.infer<typeof backupPlanSchema>;

export type { BackupResults } from "./steps/env";

/** Queue a backup of one instance: one operation per instance at a time (the journal refuses a second). */
export async function requestBackup(
  db: Db,
  actor: Actor | null,
  plan: BackupPlan,
  context: RequestContext | null,
  send?: SendJob,
): Promise<string> {
  const instance = await db.instance.findUnique({
    where: { id: plan.instanceId },
    select: {
      id: true,
      name: true,
      unitId: true,
      webHostId: true,
      backupPolicy: { select: { repositoryId: true, offsiteRepositoryId: true } },
    },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  const repositoryId = plan.repositoryId ?? instance.backupPolicy?.repositoryId ?? undefined;
  const offsiteRepositoryId = repositoryId
    ? (plan.offsiteRepositoryId ?? instance.backupPolicy?.offsiteRepositoryId ?? undefined)
    : undefined;
  const operationId = await createOperation(
    db,
    {
      operation: backupOperation,
      instanceId: instance.id,
      hostId: instance.webHostId,
      requestedById: actor?.id ?? null,
      params: {
        instanceId: instance.id,
        name: instance.name,
        trigger: plan.trigger,
        ...(repositoryId ? { repositoryId } : {}),
        ...(offsiteRepositoryId ? { offsiteRepositoryId } : {}),
      },
      steps: repositoryId ? resticSteps(Boolean(offsiteRepositoryId)) : [...BACKUP_STEPS],
    },
    async (tx, operationId) => {
      await appendAuditEvent(tx, {
        actor: actor
          ? { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId }
          : { type: "system", label: "backup schedule" },
        ip: context?.ip,
        userAgent: context?.userAgent,
        action: "backup.request",
        outcome: "success",
        target: { type: "operation", id: operationId },
        instanceId: instance.id,
        unitId: instance.unitId,
        params: { name: instance.name, trigger: plan.trigger },
      });
    },
    send,
  );
  return operationId;
}

export { OperationConflict };

export function backupSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: BackupPlan,
  options: BackupOptions = {},
): StepDefinition<BackupResults>[] {
  const env: BackupEnv = {
    db,
    ring,
    operationId,
    plan,
    options,
    load: instanceLoader(db, plan.instanceId),
    prepared: (ctx) => ctx.result("prepare"),
  };
  if (plan.repositoryId) {
    const steps: Record<(typeof RESTIC_BACKUP_STEPS)[number]["key"], BackupStepBody> = {
      repository: repositoryStep(env),
      snapshot: snapshotStep(env),
      offsite: offsiteStep(env),
    };
    return resticSteps(Boolean(plan.offsiteRepositoryId)).map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
  }
  const steps: Record<(typeof BACKUP_STEPS)[number]["key"], BackupStepBody> = {
    prepare: prepareStep(env),
    data: dataStep(env),
    manifest: manifestStep(env),
  };
  return BACKUP_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

/** After the run: the Backup row says how it ended, the audit trail too; nothing unfinished stays on disk. */
export async function finishBackup(
  db: Db,
  operationId: string,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<string | null> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: {
      error: true,
      errorText: true,
      instanceId: true,
      backup: { select: { id: true, location: true, format: true } },
      instance: { select: { unitId: true, name: true } },
    },
  });
  if (op.backup && outcome !== "succeeded") {
    if (op.backup.location && op.backup.format === "files")
      await rm(`${op.backup.location}.partial`, { recursive: true, force: true });
    await db.backup.update({
      where: { id: op.backup.id },
      data: {
        status: "failed",
        finishedAt: new Date(),
        error: op.error ?? "The backup did not finish.",
        errorText: (op.errorText ?? asMessage("The backup did not finish.")) as object,
      },
    });
  }
  await recordAuditEvent(db, {
    actor: { type: "system", label: "backup" },
    action: outcome === "succeeded" ? "backup.created" : "backup.failed",
    outcome: outcome === "succeeded" ? "success" : "failure",
    reason: outcome === "succeeded" ? null : (op.error ?? outcome).slice(0, 500),
    target: op.backup ? { type: "backup", id: op.backup.id } : { type: "operation", id: operationId },
    instanceId: op.instanceId,
    unitId: op.instance?.unitId ?? null,
    params: { name: op.instance?.name ?? null },
  });
  return op.backup?.id ?? null;
}

export const backupOperation = defineOperation({
  kind: "backup",
  version: 1,
  params: backupPlanSchema,
  steps: (run) => backupSteps(run.db, run.ring, run.operationId, run.params, run.options.backup),
  // A backup cannot go on from the middle of a stream: a run cut short ends failed, its files removed.
  onTakeover: () => ({
    action: "abandon",
    reason: "The panel stopped during this backup; its unfinished files were removed. Run it again.",
  }),
  async finish(run, outcome) {
    const backupId = await finishBackup(run.db, run.operationId, outcome);
    if (outcome !== "succeeded" || !backupId) return;
    const policy = await run.db.backup.findUnique({
      where: { id: backupId },
      select: { policy: { select: { verifyAfterBackup: true } } },
    });
    if (run.options.verifyAfterBackup ?? policy?.policy?.verifyAfterBackup ?? true) {
      await run.execute(await requestVerification(run.db, backupId, run.requestedById));
    }
    // Retention, once the new backup is in (and proven when verification is on).
    await pruneBackups(run.db, run.params.instanceId, new Date(), run.ring);
  },
});
