import type { Actor, RequestContext } from "../../kernel";
import { type KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { defineOperation } from "../operations/define";
import { createOperation, type StepDefinition, type SendJob } from "../operations/journal";
import { z } from "zod";
import { restoreEnv, type RestoreOptions, type RestoreStepBody } from "./restore-steps/env";
import { checkStep } from "./restore-steps/check";
import { safetyStep } from "./restore-steps/safety";
import { stopStep } from "./restore-steps/stop";
import { databaseStep } from "./restore-steps/database";
import { uploadsStep } from "./restore-steps/uploads";
import { startStep } from "./restore-steps/start";
import { updateStep } from "./restore-steps/update";
import { healthStep } from "./restore-steps/health";

/**
 * Restoring a restore point over a live instance, as eLabFTW's documentation says people
 * do it by hand, but journaled and reversible: refuse a backup newer than the
 * image before touching anything; take a safety backup; stop the web
 * container; recreate the database and load the dump; put the uploads back
 * exactly (owner 101:101 kept from the archive); start; `db:update` when the
 * dump is older than the image; check health. If any step fails, the safety
 * backup is put back the same way and the instance started again.
 */
export const RESTORE_STEPS = [
  { key: "check", title: "Check the backup against the instance" },
  { key: "safety", title: "Take a safety backup of the current state" },
  { key: "stop", title: "Stop the web container" },
  { key: "database", title: "Recreate the database and load the dump" },
  { key: "uploads", title: "Put the uploads back" },
  { key: "start", title: "Start the web container" },
  { key: "update", title: "Bring the schema up to the image" },
  { key: "health", title: "Check that eLabFTW answers" },
] as const;

/** The params of a restore (version 1); `name` is the instance's, for the operations list. */
export const restorePlanSchema = z.object({
  backupId: z.string().min(1),
  instanceId: z.string().min(1),
  name: z.string().optional(),
});
export type RestorePlan = z.infer<typeof restorePlanSchema>;

/** What each step returns, by key (those later steps read). */
export interface RestoreResults {
  check: { webWasRunning?: boolean };
  safety: { backupId: string | null };
  [key: string]: unknown;
}

export async function requestRestore(
  db: Db,
  actor: Actor,
  backupId: string,
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  const backup = await db.backup.findUnique({
    where: { id: backupId },
    select: {
      id: true,
      status: true,
      verificationStatus: true,
      schemaVersion: true,
      createdAt: true,
      instance: { select: { id: true, name: true, unitId: true, webHostId: true } },
    },
  });
  if (!backup) throw new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." });
  if (backup.status !== "succeeded") {
    throw new AppError("precondition_failed", "Only a complete backup can be restored.", {
      hint: "Pick a backup whose status is Succeeded; nothing was changed.",
    });
  }
  if (backup.verificationStatus === "failed") {
    throw new AppError("precondition_failed", "This backup failed its verification: it cannot be trusted.", {
      hint: "Pick a verified backup; nothing was changed.",
    });
  }
  const operationId = await createOperation(
    db,
    {
      operation: restoreOperation,
      instanceId: backup.instance.id,
      hostId: backup.instance.webHostId,
      requestedById: actor.id,
      params: { backupId: backup.id, instanceId: backup.instance.id, name: backup.instance.name },
      steps: [...RESTORE_STEPS],
    },
    async (tx) => {
      await appendAuditEvent(tx, {
        actor: { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId },
        ip: context.ip,
        userAgent: context.userAgent,
        action: "backup.restore",
        outcome: "success",
        target: { type: "backup", id: backup.id },
        instanceId: backup.instance.id,
        unitId: backup.instance.unitId,
        params: {
          name: backup.instance.name,
          backupTakenAt: backup.createdAt.toISOString(),
          schema: backup.schemaVersion,
        },
      });
    },
    send,
  );
  return operationId;
}

export function restoreSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: RestorePlan,
  options: RestoreOptions = {},
): StepDefinition<RestoreResults>[] {
  const env = restoreEnv(db, ring, operationId, plan, options);
  const steps: Record<(typeof RESTORE_STEPS)[number]["key"], RestoreStepBody> = {
    check: checkStep(env),
    safety: safetyStep(env),
    stop: stopStep(env),
    database: databaseStep(env),
    uploads: uploadsStep(env),
    start: startStep(env),
    update: updateStep(env),
    health: healthStep(env),
  };
  return RESTORE_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

export async function finishRestore(
  db: Db,
  operationId: string,
  plan: RestorePlan,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: { error: true, instance: { select: { unitId: true, name: true } } },
  });
  await recordAuditEvent(db, {
    actor: { type: "system", label: "restore" },
    action: "backup.restored",
    outcome: outcome === "succeeded" ? "success" : "failure",
    reason: outcome === "succeeded" ? null : `${outcome}: ${op.error ?? ""}`.slice(0, 500),
    target: { type: "backup", id: plan.backupId },
    instanceId: plan.instanceId,
    unitId: op.instance?.unitId ?? null,
    params: { name: op.instance?.name ?? null, result: outcome },
  });
}

export const restoreOperation = defineOperation({
  kind: "restore",
  version: 1,
  params: restorePlanSchema,
  steps: (run) => restoreSteps(run.db, run.ring, run.operationId, run.params, run.options.backup),
  finish: (run, outcome) => finishRestore(run.db, run.operationId, run.params, outcome),
});
