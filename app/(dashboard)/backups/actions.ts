"use server";

import { z } from "zod";
import { db } from "@/lib/server/db/web";
import { defineAction, defineTouchAction, idOf } from "@/lib/server/define-action";
import { notFound } from "@/lib/server/action-input";
import { requestBackup } from "@/lib/server/backups/create-backup";
import { requestVerification } from "@/lib/server/backups/verify-backup";
import { requestRestore } from "@/lib/server/backups/restore-backup";
import { assignPolicy, createPolicy } from "@/lib/server/backups/policies";
import { setUnitAlertEmails } from "@/lib/server/units/manage-units";
import { createRepository, setPolicyRepository, type RepositoryInput } from "@/lib/server/repositories/repositories";
import { recoveryKit, repositoryFromKit } from "@/lib/server/repositories/recovery-kit";
import { keyRing } from "@/lib/server/secrets";
import { requireVisibleInstance } from "@/lib/server/instances/find-instances";
import { sendOperationJob } from "@/lib/server/jobs/queue";
import type { SessionOperator } from "@/lib/auth/sessions";

/** The instance of a backup the operator may see, or the same "not found" as for a backup that is gone. */
async function visibleBackup(operator: SessionOperator, backupId: string): Promise<{ instanceId: string }> {
  const backup = await db().backup.findUnique({ where: { id: backupId }, select: { instanceId: true } });
  if (!backup) throw notFound("backup");
  await requireVisibleInstance(db(), operator, backup.instanceId);
  return backup;
}

/** Back up one instance now; the browser follows the operation's live page. */
export const backupNowAction = defineAction(
  {
    name: "backup.run",
    permission: "backups.run",
    args: [idOf("instance")],
    revalidate: ([instanceId]) => [`/instances/${instanceId}`],
  },
  async ({ operator, args: [instanceId], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    const operationId = await requestBackup(
      db(),
      operator,
      { instanceId, trigger: "manual" },
      context,
      sendOperationJob,
    );
    return { operationId };
  },
);

/** Prove a backup again: decrypt, check every file, load the dump into a throw-away database. */
export const verifyBackupAction = defineAction(
  {
    name: "backup.verify",
    permission: "backups.run",
    args: [idOf("backup")],
  },
  async ({ operator, args: [backupId], revalidate }) => {
    const { instanceId } = await visibleBackup(operator, backupId);
    const operationId = await requestVerification(db(), backupId, operator.id, sendOperationJob);
    revalidate(`/instances/${instanceId}`);
    return { operationId };
  },
);

/**
 * Restore a backup over its instance (a key touch for this very backup): a
 * safety backup first, and everything put back if any step fails.
 */
export const restoreBackupAction = defineTouchAction(
  {
    name: "backup.restore",
    args: [z.object({ backupId: idOf("backup") })],
    stepUp: { params: ([params]) => params },
  },
  async ({ operator, args: [{ backupId }], context, revalidate }) => {
    const { instanceId } = await visibleBackup(operator, backupId);
    const operationId = await requestRestore(db(), operator, backupId, context, sendOperationJob);
    revalidate(`/instances/${instanceId}`);
    return { operationId };
  },
);

/** Create a backup policy (schedule, destination, retention, extra recipients); its own schema checks the fields. */
export const createPolicyAction = defineAction(
  {
    name: "backup_policy.create",
    permission: "backups.run",
    args: [z.record(z.string(), z.unknown())],
    revalidate: ["/backups/policies"],
  },
  async ({ operator, args: [input], context }) => ({ id: await createPolicy(db(), operator, input, context) }),
);

/** Put an instance under a policy, or under none (null). */
export const assignPolicyAction = defineAction(
  {
    name: "instance.backup_policy",
    permission: "backups.run",
    args: [idOf("instance"), idOf("policy").nullable()],
    revalidate: ([instanceId]) => [`/instances/${instanceId}`],
  },
  async ({ operator, args: [instanceId, policyId], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    await assignPolicy(db(), operator, instanceId, policyId, context);
    return null;
  },
);

/** Set a unit's alert addresses (one per line). */
export const setUnitAlertEmailsAction = defineAction(
  {
    name: "unit.alert_emails",
    permission: "backups.run",
    args: [idOf("unit"), z.string().max(10_000)],
    revalidate: ["/backups/policies"],
  },
  async ({ operator, args: [unitId, emails], context }) => setUnitAlertEmails(db(), operator, unitId, emails, context),
);

/** Add a restic repository (a directory on a Docker host, a rest-server, S3); the panel generates its password. */
export const createRepositoryAction = defineAction(
  {
    name: "repository.create",
    permission: "repositories.manage",
    args: [z.record(z.string(), z.unknown())],
    revalidate: ["/backups/policies"],
  },
  async ({ operator, args: [input], context }) =>
    createRepository(db(), keyRing(), operator, input as RepositoryInput, context),
);

/** A policy's repository (null: encrypted files again), or its off-site copy (null: none). */
export const setPolicyRepositoryAction = defineAction(
  {
    name: "backup_policy.repository",
    permission: "backups.run",
    args: [idOf("policy"), idOf("repository").nullable(), z.enum(["primary", "offsite"])],
    revalidate: ["/backups/policies"],
  },
  async ({ operator, args: [policyId, repositoryId, which], context }) => {
    await setPolicyRepository(db(), operator, policyId, repositoryId, context, which);
    return null;
  },
);

/** The repository's recovery kit (address, password, restic commands): a key touch, audited, never stored. */
export const recoveryKitAction = defineTouchAction(
  {
    name: "repository.recovery_kit",
    args: [z.object({ repositoryId: idOf("repository") })],
    stepUp: { params: ([params]) => params },
  },
  async ({ operator, args: [{ repositoryId }], context }) =>
    recoveryKit(db(), keyRing(), operator, repositoryId, context),
);

/** Add a repository from its recovery kit (a new panel recovering instances); a directory needs its host. */
export const importRecoveryKitAction = defineAction(
  {
    name: "repository.import_kit",
    permission: "repositories.manage",
    args: [z.object({ kit: z.string().max(70_000), hostId: idOf("host").optional() })],
    revalidate: ["/backups/policies", "/instances/recover"],
  },
  async ({ operator, args: [{ kit, hostId }], context }) =>
    createRepository(db(), keyRing(), operator, repositoryFromKit(kit, hostId), context),
);
