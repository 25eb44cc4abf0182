import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { defineOperation } from "../operations/define";
import { createOperation, type StepDefinition, type SendJob } from "../operations/journal";
import { z } from "zod";
import { verifyEnv, type VerifyOptions, type VerifyStepBody } from "./verify-steps/env";
import { filesStep } from "./verify-steps/files";
import { uploadsStep } from "./verify-steps/uploads";
import { loadStep } from "./verify-steps/load";
import { compareStep } from "./verify-steps/compare";
import { cleanupStep } from "./verify-steps/cleanup";
import { checkStep, sampleStep } from "./verify-steps/restic";

/**
 * A backup is proven by restoring it. The verification checks the files
 * against the sealed manifest before opening anything, checks every uploaded
 * file's SHA-256, loads the dump into a throw-away database container of the
 * same image (memory-limited, no network port, always removed), and compares
 * tables, row counts and schema with the manifest; every upload row of the
 * dump must have its file.
 */
/** A restic snapshot: the repository and a sample of the files instead of every byte, then the same load. */
export const VERIFY_RESTIC_STEPS = [
  { key: "check", title: "Check the repository and read back part of its data" },
  { key: "sample", title: "Restore a sample of the uploaded files and check their hashes" },
  { key: "load", title: "Load the dump into a throw-away database" },
  { key: "compare", title: "Compare the database with the restore point" },
  { key: "cleanup", title: "Remove the throw-away database" },
] as const;

export const VERIFY_STEPS = [
  { key: "files", title: "Check the files against the sealed manifest" },
  { key: "uploads", title: "Check every uploaded file" },
  { key: "load", title: "Load the dump into a throw-away database" },
  { key: "compare", title: "Compare the database with the manifest" },
  { key: "cleanup", title: "Remove the throw-away database" },
] as const;

/** The params of a verification (version 1); `name` is the instance's, for the operations list. */
export const verifyPlanSchema = z.object({
  backupId: z.string().min(1),
  name: z.string().optional(),
  /** The restore point's format (absent: encrypted files, as before restic). */
  format: z.enum(["files", "restic"]).optional(),
});
export type VerifyPlan = z.infer<typeof verifyPlanSchema>;

export async function requestVerification(
  db: Db,
  backupId: string,
  requestedById: string | null,
  send?: SendJob,
): Promise<string> {
  const backup = await db.backup.findUnique({
    where: { id: backupId },
    select: {
      id: true,
      status: true,
      format: true,
      instanceId: true,
      instance: { select: { webHostId: true, name: true } },
    },
  });
  if (!backup) throw new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." });
  if (backup.status !== "succeeded") {
    throw new AppError("precondition_failed", "Only a complete backup can be verified.", {
      hint: "Run a new backup, then verify it.",
    });
  }
  const operationId = await createOperation(
    db,
    {
      operation: verifyOperation,
      instanceId: backup.instanceId,
      hostId: backup.instance.webHostId,
      requestedById,
      params: {
        backupId: backup.id,
        name: backup.instance.name,
        ...(backup.format === "restic" ? { format: "restic" } : {}),
      },
      steps: backup.format === "restic" ? [...VERIFY_RESTIC_STEPS] : [...VERIFY_STEPS],
    },
    (tx) => tx.backup.update({ where: { id: backup.id }, data: { verificationStatus: "running" } }),
    send,
  );
  return operationId;
}

export function verifySteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: VerifyPlan,
  options: VerifyOptions = {},
): StepDefinition[] {
  const env = verifyEnv(db, ring, operationId, plan, options);
  if (plan.format === "restic") {
    const steps: Record<(typeof VERIFY_RESTIC_STEPS)[number]["key"], VerifyStepBody> = {
      check: checkStep(env),
      sample: sampleStep(env),
      load: loadStep(env),
      compare: compareStep(env),
      cleanup: cleanupStep(env),
    };
    return VERIFY_RESTIC_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
  }
  const steps: Record<(typeof VERIFY_STEPS)[number]["key"], VerifyStepBody> = {
    files: filesStep(env),
    uploads: uploadsStep(env),
    load: loadStep(env),
    compare: compareStep(env),
    cleanup: cleanupStep(env),
  };
  return VERIFY_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

/** Store the verdict on the backup, and in the audit trail. */
export async function finishVerification(
  db: Db,
  operationId: string,
  plan: VerifyPlan,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: {
      error: true,
      errorText: true,
      result: true,
      instance: { select: { id: true, unitId: true, name: true } },
    },
  });
  const passed = outcome === "succeeded";
  // The backup may be gone by now (removed by retention or by hand while the verification waited).
  await db.backup.updateMany({
    where: { id: plan.backupId },
    data: {
      verificationStatus: passed ? "passed" : "failed",
      verifiedAt: new Date(),
      verificationDetails: passed
        ? { operationId, ...((op.result ?? {}) as object) }
        : { operationId, reason: (op.errorText ?? op.error ?? "The verification did not finish.") as object },
    },
  });
  await recordAuditEvent(db, {
    actor: { type: "system", label: "verification" },
    action: "backup.verified",
    outcome: passed ? "success" : "failure",
    reason: passed ? null : (op.error ?? outcome).slice(0, 500),
    target: { type: "backup", id: plan.backupId },
    instanceId: op.instance?.id ?? null,
    unitId: op.instance?.unitId ?? null,
    params: { name: op.instance?.name ?? null },
  });
}

export const verifyOperation = defineOperation({
  kind: "verify",
  version: 1,
  params: verifyPlanSchema,
  steps: (run) => verifySteps(run.db, run.ring, run.operationId, run.params, run.options.backup),
  finish: (run, outcome) => finishVerification(run.db, run.operationId, run.params, outcome),
});
