import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import type { DeployOptions } from "../instances/deploy";
import { deploySteps, finishDeploy } from "../instances/deploy";
import type { DeployPlan } from "../instances/deploy-plan";
import { runOperation } from "./journal";
import { backupSteps, finishBackup, type BackupPlan } from "../backups/create-backup";
import { finishVerification, requestVerification, verifySteps, type VerifyPlan } from "../backups/verify-backup";
import { finishRestore, restoreSteps, type RestorePlan } from "../backups/restore-backup";
import { pruneBackups } from "../backups/retention";
import { finishUpgrade, upgradeSteps, type UpgradeOptions, type UpgradePlan } from "../upgrades/upgrade";

export interface ExecuteOptions {
  owner: string;
  deploy?: DeployOptions;
  backup?: { identityFile?: string; defaultDir?: string; healthTimeoutMs?: number };
  upgrade?: UpgradeOptions;
  /** Verify each backup right after it is written (default: the instance's policy says, else yes). */
  verifyAfterBackup?: boolean;
}

/**
 * Run a queued operation by its kind (called by the job worker). An
 * operation whose worker died (lease expired) is taken over and goes on from
 * the first step not yet done: the journal holds every step's result.
 */
export async function executeOperation(
  db: Db,
  ring: KeyRing,
  operationId: string,
  options: ExecuteOptions,
): Promise<"succeeded" | "failed" | "rolled_back" | "not_runnable"> {
  const operation = await db.operation.findUnique({
    where: { id: operationId },
    select: { kind: true, state: true, params: true, startedAt: true, requestedById: true },
  });
  if (!operation || !["queued", "running"].includes(operation.state)) return "not_runnable";
  switch (operation.kind) {
    case "deploy": {
      const plan = operation.params as unknown as DeployPlan;
      const outcome = await runOperation(db, operationId, deploySteps(db, ring, operationId, plan, options.deploy), {
        owner: options.owner,
      });
      await finishDeploy(db, operationId, plan, outcome);
      return outcome;
    }
    case "upgrade": {
      const plan = operation.params as unknown as UpgradePlan;
      let rollBackInterrupted: string | undefined;
      if (operation.startedAt) {
        // Taken over after the panel died: finish only if the upgraded instance had been verified, else roll back.
        const verified = await db.operationStep.findFirst({
          where: { operationId, key: "verify", state: "succeeded" },
          select: { id: true },
        });
        if (!verified) {
          rollBackInterrupted =
            "The panel stopped during this step; the upgrade was rolled back when the panel started again.";
        }
      }
      const outcome = await runOperation(
        db,
        operationId,
        upgradeSteps(db, ring, operationId, plan, { ...options.backup, ...options.upgrade }),
        { owner: options.owner, rollBackInterrupted },
      );
      await finishUpgrade(db, operationId, plan, outcome);
      return outcome;
    }
    case "backup": {
      const plan = operation.params as unknown as BackupPlan;
      if (operation.startedAt) {
        // A backup cannot go on from the middle of a stream: a run cut short ends failed, its files removed.
        await abandon(
          db,
          operationId,
          "The panel stopped during this backup; its unfinished files were removed. Run it again.",
        );
        await finishBackup(db, operationId, "failed");
        return "failed";
      }
      const outcome = await runOperation(db, operationId, backupSteps(db, ring, operationId, plan, options.backup), {
        owner: options.owner,
      });
      const backupId = await finishBackup(db, operationId, outcome);
      if (outcome === "succeeded" && backupId) {
        const policy = await db.backup.findUnique({
          where: { id: backupId },
          select: { policy: { select: { verifyAfterBackup: true } } },
        });
        if (options.verifyAfterBackup ?? policy?.policy?.verifyAfterBackup ?? true) {
          const verifyId = await requestVerification(db, backupId, operation.requestedById);
          await executeOperation(db, ring, verifyId, options);
        }
        // Retention, once the new backup is in (and proven when verification is on).
        await pruneBackups(db, plan.instanceId);
      }
      return outcome;
    }
    case "verify": {
      const plan = operation.params as unknown as VerifyPlan;
      const outcome = await runOperation(db, operationId, verifySteps(db, ring, operationId, plan, options.backup), {
        owner: options.owner,
      });
      await finishVerification(db, operationId, plan, outcome);
      return outcome;
    }
    case "restore": {
      const plan = operation.params as unknown as RestorePlan;
      const outcome = await runOperation(db, operationId, restoreSteps(db, ring, operationId, plan, options.backup), {
        owner: options.owner,
      });
      await finishRestore(db, operationId, plan, outcome);
      return outcome;
    }
    default:
      await db.operation.update({
        where: { id: operationId },
        data: {
          state: "failed",
          error: `This panel cannot run ${operation.kind} operations yet.`,
          finishedAt: new Date(),
        },
      });
      return "failed";
  }
}

async function abandon(db: Db, operationId: string, error: string): Promise<void> {
  await db.operation.update({
    where: { id: operationId },
    data: { state: "failed", error, finishedAt: new Date(), leaseOwner: null, leaseExpiresAt: null },
  });
  await db.operationStep.updateMany({
    where: { operationId, state: { in: ["pending", "running"] } },
    data: { state: "skipped" },
  });
  await db.instance.updateMany({ where: { activeOperationId: operationId }, data: { activeOperationId: null } });
}

/** Operations whose worker stopped answering (lease expired while queued or running). */
export async function staleOperations(db: Db, now = new Date()): Promise<string[]> {
  const rows = await db.operation.findMany({
    where: {
      OR: [
        { state: "running", leaseExpiresAt: { lt: now } },
        { state: "queued", createdAt: { lt: new Date(now.getTime() - 60_000) } },
      ],
    },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
