import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import type { ExecuteOptions, OperationDefinition, OperationRun, Outcome } from "./define";
import { runOperation } from "./journal";
import { OPERATIONS } from "./registry";
import { asMessage, englishText, msg, type Message, type Wording } from "../../i18n/message";

export type { ExecuteOptions } from "./define";

/**
 * Run a queued operation by its kind (called by the job worker). Its params
 * are parsed with the kind's schema, at the version they were stored with:
 * an operation queued by a panel that wrote another shape is refused, never
 * misread. An operation whose worker died (lease expired) is taken over as
 * its kind says: go on from the first step not yet done (the journal holds
 * every step's result), roll back, or end failed.
 */
export async function executeOperation(
  db: Db,
  ring: KeyRing,
  operationId: string,
  options: ExecuteOptions,
): Promise<Outcome | "not_runnable"> {
  const operation = await db.operation.findUnique({
    where: { id: operationId },
    select: {
      kind: true,
      state: true,
      params: true,
      paramsVersion: true,
      startedAt: true,
      requestedById: true,
      steps: { select: { key: true, state: true } },
    },
  });
  if (!operation || !["queued", "running"].includes(operation.state)) return "not_runnable";
  const definition: OperationDefinition<unknown> | undefined = OPERATIONS[operation.kind];
  if (!definition) {
    await abandon(db, operationId, `This panel cannot run ${operation.kind} operations.`);
    return "failed";
  }
  const refusal = paramsRefusal(definition, operation);
  if (refusal) {
    await abandon(db, operationId, refusal);
    return "failed";
  }
  const run: OperationRun<unknown> = {
    db,
    ring,
    operationId,
    params: definition.params.parse(operation.params),
    requestedById: operation.requestedById,
    options,
    execute: (id) => executeOperation(db, ring, id, options),
  };
  let rollBackInterrupted: Wording | undefined;
  if (operation.startedAt) {
    const journal = Object.fromEntries(operation.steps.map((s) => [s.key, s.state]));
    const takeover = definition.onTakeover?.(run, journal) ?? { action: "resume" };
    if (takeover.action === "abandon") {
      await abandon(db, operationId, takeover.reason);
      await definition.finish(run, "failed");
      return "failed";
    }
    if (takeover.action === "roll_back") rollBackInterrupted = takeover.reason;
  }
  const outcome = await runOperation(db, operationId, definition.steps(run), {
    owner: options.owner,
    rollBackInterrupted,
  });
  await definition.finish(run, outcome);
  return outcome;
}

/**
 * Why stored params cannot be run by this panel, or null. Nothing has been
 * done when the operation was queued only; when it had started, the journal
 * says how far it went, and the operator is sent to it.
 */
function paramsRefusal(
  definition: OperationDefinition<unknown>,
  operation: { kind: string; params: unknown; paramsVersion: number; startedAt: Date | null },
): Message | null {
  const after = asMessage(
    operation.startedAt
      ? "It had started: see its steps for how far it went, check the instance, then request it again."
      : "Nothing was done: request it again.",
  );
  if (operation.paramsVersion !== definition.version) {
    return msg`This ${operation.kind} operation was queued by a panel version that wrote its parameters in shape ${operation.paramsVersion}; this panel reads shape ${definition.version} only. ${after}`;
  }
  const parsed = definition.params.safeParse(operation.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return msg`This ${operation.kind} operation has parameters this panel cannot read (${issue?.path.join(".") || "params"}: ${issue?.message ?? "invalid"}). ${after}`;
  }
  return null;
}

/** End an operation failed without running a step: what was pending is skipped, the instance released. */
async function abandon(db: Db, operationId: string, error: Wording): Promise<void> {
  await db.operation.update({
    where: { id: operationId },
    data: {
      state: "failed",
      error: englishText(error),
      errorText: asMessage(error) as object,
      finishedAt: new Date(),
      leaseOwner: null,
      leaseExpiresAt: null,
    },
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
