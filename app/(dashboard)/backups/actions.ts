"use server";

import { revalidatePath } from "next/cache";
import { authorize, confirmStepUp, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { requestBackup } from "@/lib/server/backups/create-backup";
import { requestVerification } from "@/lib/server/backups/verify-backup";
import { requestRestore } from "@/lib/server/backups/restore-backup";
import { assignPolicy, createPolicy } from "@/lib/server/backups/policies";
import { setUnitAlertEmails } from "@/lib/server/units/manage-units";
import { requireVisibleInstance } from "@/lib/server/instances/find-instances";
import { enqueueOperation } from "@/lib/server/jobs/queue";
import { AppError } from "@/lib/errors";
import { isUuid } from "@/lib/server/ids";

/** Back up one instance now; the browser follows the operation's live page. */
export async function backupNowAction(instanceId: string): Promise<ActionResult<{ operationId: string }>> {
  return runAction(async () => {
    const operator = await authorize("backups.run", "backup.run");
    await requireVisibleInstance(db(), operator, instanceId);
    const operationId = await requestBackup(db(), operator, { instanceId, trigger: "manual" }, await requestContext());
    await enqueueOperation(db(), operationId);
    revalidatePath(`/instances/${instanceId}`);
    return { operationId };
  });
}

/** Prove a backup again: decrypt, check every file, load the dump into a throw-away database. */
export async function verifyBackupAction(backupId: string): Promise<ActionResult<{ operationId: string }>> {
  return runAction(async () => {
    const operator = await authorize("backups.run", "backup.verify");
    if (!isUuid(backupId))
      throw new AppError("bad_input", "This is not a backup of the panel.", { hint: "Reload the page." });
    const backup = await db().backup.findUnique({ where: { id: backupId }, select: { instanceId: true } });
    if (!backup) throw new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." });
    await requireVisibleInstance(db(), operator, backup.instanceId);
    const operationId = await requestVerification(db(), backupId, operator.id);
    await enqueueOperation(db(), operationId);
    revalidatePath(`/instances/${backup.instanceId}`);
    return { operationId };
  });
}

/**
 * Restore a backup over its instance (a key touch for this very backup): a
 * safety backup first, and everything put back if any step fails.
 */
export async function restoreBackupAction(
  params: { backupId: string },
  stepUp: string,
): Promise<ActionResult<{ operationId: string }>> {
  return runAction(async () => {
    const operator = await authorize("backups.restore", "backup.restore");
    const backupId = params?.backupId;
    if (typeof backupId !== "string" || !isUuid(backupId)) {
      throw new AppError("bad_input", "This is not a backup of the panel.", { hint: "Reload the page." });
    }
    const backup = await db().backup.findUnique({ where: { id: backupId }, select: { instanceId: true } });
    if (!backup) throw new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." });
    await requireVisibleInstance(db(), operator, backup.instanceId);
    const { securityKeyId } = await confirmStepUp(operator, "backup.restore", params, stepUp);
    const operationId = await requestRestore(db(), { ...operator, securityKeyId }, backupId, await requestContext());
    await enqueueOperation(db(), operationId);
    revalidatePath(`/instances/${backup.instanceId}`);
    return { operationId };
  });
}

/** Create a backup policy (schedule, destination, retention, extra recipients). */
export async function createPolicyAction(input: Record<string, unknown>): Promise<ActionResult<{ id: string }>> {
  return runAction(async () => {
    const operator = await authorize("backups.run", "backup_policy.create");
    const id = await createPolicy(db(), operator, input, await requestContext());
    revalidatePath("/backups/policies");
    return { id };
  });
}

/** Put an instance under a policy, or under none (null). */
export async function assignPolicyAction(instanceId: string, policyId: string | null): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("backups.run", "instance.backup_policy");
    await requireVisibleInstance(db(), operator, instanceId);
    if (policyId !== null && (typeof policyId !== "string" || !isUuid(policyId))) {
      throw new AppError("bad_input", "This is not a backup policy of the panel.", { hint: "Reload the page." });
    }
    await assignPolicy(db(), operator, instanceId, policyId, await requestContext());
    revalidatePath(`/instances/${instanceId}`);
    return null;
  });
}

/** Set a unit's alert addresses (one per line). */
export async function setUnitAlertEmailsAction(unitId: string, emails: string): Promise<ActionResult<string[]>> {
  return runAction(async () => {
    const operator = await authorize("backups.run", "unit.alert_emails");
    if (typeof unitId !== "string" || !isUuid(unitId)) {
      throw new AppError("bad_input", "This is not a unit of the panel.", { hint: "Reload the page." });
    }
    const saved = await setUnitAlertEmails(db(), operator, unitId, emails, await requestContext());
    revalidatePath("/backups/policies");
    return saved;
  });
}
