import { rm } from "node:fs/promises";
import { AppError, errorText } from "../../../errors";
import { backupSteps } from "../../backups/create-backup";
import { verifySteps } from "../../backups/verify-backup";
import { nestedProgress, runNestedSteps } from "../../operations/journal";
import type { UpgradeEnv, UpgradeStepBody } from "./env";
import { msg } from "../../../i18n/message";

/** What the pre-upgrade backup needs of an operation: an eLabFTW upgrade's or a MySQL move's. */
export type BackupStepEnv = Pick<UpgradeEnv, "db" | "ring" | "operationId" | "options"> & {
  plan: { instanceId: string };
};

export function backupStep({ db, ring, operationId, plan, options }: BackupStepEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      // Into the policy's repository when it has one: a snapshot costs what changed since the last one, so
      // the upgrade does not wait for a full copy. The off-site copy is left to the next scheduled backup.
      const { backupPolicy } = await db.instance.findUniqueOrThrow({
        where: { id: plan.instanceId },
        select: { backupPolicy: { select: { repositoryId: true } } },
      });
      const repositoryId = backupPolicy?.repositoryId ?? undefined;
      const backup = await runNestedSteps(
        backupSteps(
          db,
          ring,
          operationId,
          { instanceId: plan.instanceId, trigger: "pre_upgrade", ...(repositoryId ? { repositoryId } : {}) },
          {
            identityFile: options.identityFile,
            defaultDir: options.defaultDir,
            linkOperation: false,
          },
        ),
        ctx,
        { label: "Backup", progress: nestedProgress(ctx, "Backup", [5, 25]) },
      ).catch(async (error: unknown) => {
        await db.backup.updateMany({
          where: { instanceId: plan.instanceId, trigger: "pre_upgrade", status: "running" },
          data: { status: "failed", finishedAt: new Date(), error: (error as Error).message.slice(0, 1000) },
        });
        throw error;
      });
      const { backupId } = repositoryId ? backup.snapshot! : backup.manifest!;
      await ctx.intent({ backupId });
      await runNestedSteps(
        verifySteps(
          db,
          ring,
          operationId,
          { backupId, format: repositoryId ? "restic" : "files" },
          { identityFile: options.identityFile },
        ),
        ctx,
        { label: "Verification", progress: nestedProgress(ctx, "Verification", [25, 40]) },
      ).catch(async (error: unknown) => {
        await db.backup.update({
          where: { id: backupId },
          data: {
            verificationStatus: "failed",
            verifiedAt: new Date(),
            verificationDetails: { operationId, reason: (error as Error).message.slice(0, 1000) },
          },
        });
        throw new AppError(
          "unavailable",
          msg`The backup taken before the upgrade did not verify: ${errorText(error)}`,
          {
            hint: "Nothing was changed. See the backup's verification, fix the cause, then upgrade again.",
          },
        );
      });
      await db.backup.update({
        where: { id: backupId },
        data: {
          verificationStatus: "passed",
          verifiedAt: new Date(),
          verificationDetails: { operationId, reason: null },
        },
      });
      await ctx.log(`Backup ${backupId} written and verified.`);
      return { backupId };
    },
    async compensate(ctx) {
      // A backup left half-written by a stop: its files go, its row says so (a finished one stays: it is a
      // good restore point).
      const cut = await db.backup.findMany({
        where: { instanceId: plan.instanceId, trigger: "pre_upgrade", status: "running" },
        select: { id: true, location: true },
      });
      for (const b of cut) {
        if (b.location) await rm(`${b.location}.partial`, { recursive: true, force: true });
        await db.backup.update({
          where: { id: b.id },
          data: { status: "failed", finishedAt: new Date(), error: "The upgrade stopped during this backup." },
        });
      }
      await ctx.log("No change to undo for the backup (it stays as a restore point).");
    },
    compensateOnFailure: true,
  };
}
