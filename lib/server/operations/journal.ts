import { randomUUID } from "node:crypto";
import type { Prisma } from "../../generated/prisma/client";
import type { z } from "zod";
import { AppError, errorText } from "../../errors";
import type { Db, Tx } from "../db/client";
import { asMessage, englishText, msg, type Wording } from "../../i18n/message";

/**
 * The operation journal: every side-effecting action (deploy, upgrade,
 * backup, restore, verify) is an Operation row with one row per step. A step
 * writes its intent before its side effect and its result after, so a
 * crashed run leaves a record of exactly how far it got. A worker holds the
 * operation through a lease renewed by a heartbeat; an instance is held by at
 * most one operation (a unique column), so a second request is refused by the
 * database itself.
 */
export type OperationKind = "deploy" | "upgrade" | "database_upgrade" | "backup" | "restore" | "verify" | "recover";

/** Results of an operation's steps, by step key (what each step's `run` returns). */
export type StepResults = Record<string, unknown>;

export interface StepContext<R extends object = object> {
  operationId: string;
  /** Record what this step is about to do (before the side effect). */
  intent(value: Prisma.InputJsonValue): Promise<void>;
  log(message: string, level?: "debug" | "info" | "warn" | "error"): Promise<void>;
  /** Several lines at once, in their order (one insert: a command's output journaled inside a downtime). */
  logLines(messages: string[], level?: "debug" | "info" | "warn" | "error"): Promise<void>;
  /** Overall progress 0–100 and what is happening, for the live page. */
  progress(percent: number, detail?: string): Promise<void>;
  /** The result of a step that already succeeded; throws when it has none (a step order mistake). */
  result<K extends keyof R & string>(key: K): R[K];
  /** The result of a step when it succeeded in this run or an earlier one, else undefined. */
  resultIfAny<K extends keyof R & string>(key: K): R[K] | undefined;
  /** What a step recorded as its intent (its title included), from the journal: for undoing what it began. */
  intentOf<T extends object>(key: string): Promise<Partial<T>>;
}

export interface StepDefinition<R extends object = object> {
  key: string;
  title: string;
  run(ctx: StepContext<R>): Promise<Prisma.InputJsonValue | void>;
  /** Undo this step after a later step failed (rollback); absent: nothing to undo. */
  compensate?(ctx: StepContext<R>): Promise<void>;
  /**
   * Also undo this step when it fails itself (or was cut short by a crash):
   * for steps whose side effects can be partly done, with an idempotent
   * compensate that reads the real state.
   */
  compensateOnFailure?: boolean;
}

/** Sends an operation's job on the transaction that creates it. */
export type SendJob = (tx: Tx, operationId: string) => Promise<void>;

export class OperationConflict extends AppError {
  constructor(message: Wording, hint: Wording) {
    super("conflict", message, { hint });
    this.name = "OperationConflict";
  }
}

/** Create an operation and its pending steps; holds the instance when one is named. */
export async function createOperation<P>(
  db: Db,
  input: {
    /** The kind's definition: its params are checked against its schema and stored with its version. */
    operation: { kind: OperationKind; version: number; params: z.ZodType<P> };
    instanceId?: string;
    hostId?: string;
    requestedById?: string | null;
    params: P;
    steps: { key: string; title: string }[];
  },
  /** Written in the same transaction once the operation is (the request's audit event): all or nothing. */
  alongside?: (tx: Tx, operationId: string) => Promise<unknown>,
  /**
   * Hand the operation to the workers inside that same transaction (jobs/queue.ts): a request
   * is committed with its job or not at all. Without it (tests, a worker running the operation
   * itself), the workers' sweep of operations left queued picks it up.
   */
  send?: SendJob,
): Promise<string> {
  const id = randomUUID();
  // A plan that does not fit its own schema is a bug here, not bad input: nothing is written.
  const params = input.operation.params.parse(input.params) as Prisma.InputJsonValue;
  try {
    await db.$transaction(async (tx) => {
      // The instance first: concurrent requests queue on its row for a moment only, and the losers
      // are refused without having written anything.
      if (input.instanceId) {
        const { count } = await tx.instance.updateMany({
          where: { id: input.instanceId, activeOperationId: null },
          data: { activeOperationId: id },
        });
        if (!count) {
          throw new OperationConflict(
            "Another operation is already running on this instance.",
            "Wait for it to finish (see Operations), then try again.",
          );
        }
      }
      await tx.operation.create({
        data: {
          id,
          kind: input.operation.kind,
          instanceId: input.instanceId,
          hostId: input.hostId,
          requestedById: input.requestedById ?? null,
          params,
          paramsVersion: input.operation.version,
          steps: {
            create: input.steps.map((s, position) => ({ position, key: s.key, intent: { title: s.title } })),
          },
        },
      });
      await alongside?.(tx, id);
      if (send) {
        try {
          await send(tx, id);
        } catch (error) {
          throw new AppError("unavailable", "The job queue did not take this request, so nothing was done.", {
            hint: "Try again in a moment; if it keeps failing, check the panel's log and its database.",
            cause: error,
          });
        }
      }
    });
  } catch (error) {
    if (error instanceof OperationConflict || error instanceof AppError) throw error;
    if ((error as { code?: string }).code === "P2002") {
      throw new OperationConflict(
        "Another operation is already running on this instance.",
        "Wait for it to finish (see Operations), then try again.",
      );
    }
    throw error;
  }
  return id;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Run (or resume) an operation: take its lease, run the steps not yet
 * succeeded in order, each journaled; on a failure, compensate the steps that
 * succeeded, newest first, and end "rolled back" (or "failed" when nothing
 * could be undone or an undo failed). Releases the instance at the end.
 */
export async function runOperation<R extends object>(
  db: Db,
  operationId: string,
  steps: StepDefinition<R>[],
  options: {
    owner: string;
    leaseMs?: number;
    /**
     * Taking over an operation cut short: instead of going on, treat the
     * step that was running (or the next one) as failed with this reason,
     * and roll back.
     */
    rollBackInterrupted?: Wording;
  } = { owner: "panel" },
): Promise<"succeeded" | "failed" | "rolled_back"> {
  const leaseMs = options.leaseMs ?? 30_000;
  const now = () => new Date();
  const taken = await db.operation.updateMany({
    where: {
      id: operationId,
      state: { in: ["queued", "running"] },
      OR: [{ leaseOwner: null }, { leaseExpiresAt: { lt: now() } }, { leaseOwner: options.owner }],
    },
    data: {
      leaseOwner: options.owner,
      leaseExpiresAt: new Date(Date.now() + leaseMs),
      heartbeatAt: now(),
      state: "running",
      startedAt: now(),
    },
  });
  if (!taken.count) {
    throw new OperationConflict("This operation is held by another worker or already finished.", "Nothing to do.");
  }
  const heartbeat = setInterval(
    () => {
      void db.operation
        .updateMany({
          where: { id: operationId, leaseOwner: options.owner },
          data: { leaseExpiresAt: new Date(Date.now() + leaseMs), heartbeatAt: now() },
        })
        .catch(() => undefined);
    },
    Math.max(1_000, Math.floor(leaseMs / 3)),
  );

  const rows = await db.operationStep.findMany({ where: { operationId }, orderBy: { position: "asc" } });
  const results: Record<string, unknown> = Object.fromEntries(
    rows.filter((r) => r.state === "succeeded").map((r) => [r.key, r.result]),
  );
  const contextFor = (stepId: string | null, title: string): StepContext<R> => ({
    operationId,
    result: (key) => {
      if (!(key in results)) throw new Error(`step ${key} has no result yet (a step order mistake)`);
      return results[key] as R[typeof key];
    },
    resultIfAny: (key) => results[key] as R[typeof key] | undefined,
    intentOf: async <T extends object>(key: string) => {
      const step = await db.operationStep.findFirst({ where: { operationId, key }, select: { intent: true } });
      const intent = step?.intent;
      return (intent && typeof intent === "object" && !Array.isArray(intent) ? intent : {}) as Partial<T>;
    },
    intent: async (value) => {
      // The step's title stays with what it is about to do.
      const intent =
        value && typeof value === "object" && !Array.isArray(value) ? { title, ...value } : { title, value };
      if (stepId) await db.operationStep.update({ where: { id: stepId }, data: { intent } });
    },
    log: async (text, level = "info") => {
      await db.operationLog.create({ data: { operationId, stepId, level, message: text.slice(0, 4000) } });
    },
    logLines: async (texts, level = "info") => {
      if (!texts.length) return;
      await db.operationLog.createMany({
        data: texts.map((text) => ({ operationId, stepId, level, message: text.slice(0, 4000) })),
      });
    },
    progress: async (percent, detail) => {
      await db.operation.update({
        where: { id: operationId },
        data: { progress: Math.max(0, Math.min(100, Math.round(percent))), ...(detail ? { currentStep: detail } : {}) },
      });
    },
  });

  const done: { definition: StepDefinition<R>; id: string }[] = [];
  let failure: { step: string; error: string; text: Wording } | null = null;
  try {
    if (options.rollBackInterrupted) {
      const reason = englishText(options.rollBackInterrupted);
      for (const definition of steps) {
        const row = rows.find((r) => r.key === definition.key);
        if (!row) throw new Error(`the journal has no step ${definition.key}`);
        if (row.state === "succeeded") {
          done.push({ definition, id: row.id });
          continue;
        }
        await db.operationStep.update({
          where: { id: row.id },
          data: { state: "failed", finishedAt: now(), error: reason.slice(0, 4000) },
        });
        await contextFor(row.id, definition.title).log(`${definition.title}: ${reason}`, "error");
        // It may have done part of its work before the stop.
        if (row.state === "running" && definition.compensateOnFailure) done.push({ definition, id: row.id });
        failure = { step: definition.title, error: reason, text: options.rollBackInterrupted };
        break;
      }
    }
    for (const definition of failure ? [] : steps) {
      const row = rows.find((r) => r.key === definition.key);
      if (!row) throw new Error(`the journal has no step ${definition.key}`);
      if (row.state === "succeeded") {
        done.push({ definition, id: row.id });
        continue;
      }
      await db.operationStep.update({
        where: { id: row.id },
        data: { state: "running", startedAt: now(), error: null },
      });
      await db.operation.update({ where: { id: operationId }, data: { currentStep: definition.title } });
      const ctx = contextFor(row.id, definition.title);
      try {
        const result = (await definition.run(ctx)) ?? null;
        results[definition.key] = result;
        await db.operationStep.update({
          where: { id: row.id },
          data: { state: "succeeded", finishedAt: now(), result: result === null ? undefined : result },
        });
        done.push({ definition, id: row.id });
      } catch (error) {
        await db.operationStep.update({
          where: { id: row.id },
          data: { state: "failed", finishedAt: now(), error: message(error).slice(0, 4000) },
        });
        await ctx.log(`${definition.title} failed: ${message(error)}`, "error");
        failure = { step: definition.title, error: message(error), text: errorText(error) };
        if (definition.compensateOnFailure) done.push({ definition, id: row.id });
        break;
      }
    }
    let final: "succeeded" | "failed" | "rolled_back" = "succeeded";
    if (failure) {
      await db.operationStep.updateMany({ where: { operationId, state: "pending" }, data: { state: "skipped" } });
      await db.operation.update({ where: { id: operationId }, data: { state: "rolling_back" } });
      let undone = 0;
      let undoFailed = false;
      for (const { definition, id } of [...done].reverse()) {
        if (!definition.compensate) continue;
        const ctx = contextFor(id, definition.title);
        try {
          await ctx.log(`Undoing: ${definition.title}`);
          await definition.compensate(ctx);
          // A step that failed and undid its own partial work stays "failed": that is where the error is.
          await db.operationStep.updateMany({ where: { id, state: "succeeded" }, data: { state: "compensated" } });
          undone++;
        } catch (error) {
          undoFailed = true;
          await ctx.log(`Could not undo ${definition.title}: ${message(error)}`, "error");
        }
      }
      final = undone > 0 && !undoFailed ? "rolled_back" : "failed";
    }
    await db.operation.update({
      where: { id: operationId },
      data: {
        state: final,
        finishedAt: now(),
        progress: final === "succeeded" ? 100 : undefined,
        error: failure ? `${failure.step}: ${failure.error}` : null,
        // The same, as ids and values for pages in the reader's language (the step title is looked up as written).
        ...(failure ? { errorText: msg`${asMessage(failure.step)}: ${asMessage(failure.text)}` as object } : {}),
        result: { ...results } as Prisma.InputJsonValue,
        leaseOwner: null,
        leaseExpiresAt: null,
      },
    });
    return final;
  } finally {
    clearInterval(heartbeat);
    await db.instance
      .updateMany({ where: { activeOperationId: operationId }, data: { activeOperationId: null } })
      .catch(() => undefined);
  }
}

/**
 * Run nested steps (a backup, its verification) inside one step of an
 * operation, undoing those done if one fails, then rethrowing. Their logs
 * and progress go to the outer step, under a label; their intents are not
 * journaled (the outer step's intent says what it is doing).
 */
export async function runNestedSteps<N extends object>(
  steps: StepDefinition<N>[],
  ctx: StepContext<object>,
  options: {
    label: string;
    progress: (percent: number, detail?: string) => Promise<void>;
    /** Called after the undo, before the error is rethrown, with what the steps had returned. */
    onFailure?: (results: Partial<N>, error: unknown) => Promise<void>;
  },
): Promise<Partial<N>> {
  const results: StepResults = {};
  const sub = memoryStepContext<N>(ctx.operationId, results, {
    log: (message, level) => ctx.log(`${options.label}: ${message}`, level),
    progress: options.progress,
  });
  const done: StepDefinition<N>[] = [];
  try {
    for (const step of steps) {
      results[step.key] = (await step.run(sub)) ?? null;
      done.push(step);
    }
  } catch (error) {
    for (const step of done.reverse()) await step.compensate?.(sub).catch(() => undefined);
    await options.onFailure?.(results as Partial<N>, error);
    throw error;
  }
  return results as Partial<N>;
}

/** Nested steps' progress (0–100) mapped onto a slice of the outer operation's. */
export const nestedProgress =
  (ctx: StepContext<object>, label: string, [from, to]: [number, number]) =>
  (percent: number, detail?: string) =>
    ctx.progress(from + ((to - from) * percent) / 100, detail ?? label);

/**
 * A step context over results kept in memory, journaling nothing: for steps
 * run inside another step, or measured one by one (the backup benchmark).
 */
export function memoryStepContext<R extends object>(
  operationId: string,
  results: StepResults,
  hooks: Pick<StepContext, "log" | "progress">,
): StepContext<R> {
  return {
    operationId,
    intent: async () => {},
    intentOf: async () => ({}),
    log: hooks.log,
    logLines: async (messages, level) => {
      for (const message of messages) await hooks.log(message, level);
    },
    progress: hooks.progress,
    result: (key) => {
      if (!(key in results)) throw new Error(`step ${key} has no result yet (a step order mistake)`);
      return results[key] as R[typeof key];
    },
    resultIfAny: (key) => results[key] as R[typeof key] | undefined,
  };
}
