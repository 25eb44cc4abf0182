import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import type { DeployOptions } from "../instances/deploy";
import { deploySteps, finishDeploy } from "../instances/deploy";
import type { DeployPlan } from "../instances/deploy-plan";
import { runOperation } from "./journal";

/**
 * Run a queued operation by its kind (called by the job worker). An
 * operation whose worker died (lease expired) is taken over and goes on from
 * the first step not yet done: the journal holds every step's result.
 */
export async function executeOperation(
  db: Db,
  ring: KeyRing,
  operationId: string,
  options: { owner: string; deploy?: DeployOptions },
): Promise<"succeeded" | "failed" | "rolled_back" | "not_runnable"> {
  const operation = await db.operation.findUnique({
    where: { id: operationId },
    select: { kind: true, state: true, params: true },
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
