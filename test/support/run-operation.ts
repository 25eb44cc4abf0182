/**
 * Runs one operation in a process of its own, as the panel's worker does, so
 * that a test can kill it with SIGKILL at a chosen moment (crash tests).
 * Input from the environment: DATABASE_URL, PL_KEY_SPEC, PL_OPERATION_ID,
 * PL_OPTIONS (JSON of the executeOperation options), and optionally
 * PL_KILL_POINT (JSON of a KillPoint): the moment the journal records it, the
 * worker prints KILL_POINT_MARKER and, when `pause` is set, waits there for
 * its SIGKILL. Polling the journal from outside would miss the quick steps
 * on a fast run (the commit takes milliseconds).
 */
import { parseKeyRing } from "../../lib/crypto";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";

export const KILL_POINT_MARKER = "[run-operation] at the kill point";

export type KillPoint =
  /** A step's row was just marked running (the steps before it are recorded as done). */
  | { running: string; pause: true }
  /** A step just journaled an intent with these fields; `pause: false` lets the work it announces go on. */
  | { intentOf: string; fields: Record<string, unknown>; pause: boolean };

function withKillPoint(base: Db, point: KillPoint): Db {
  const reached = async () => {
    process.stdout.write(`${KILL_POINT_MARKER}\n`);
    if (point.pause) await new Promise(() => {});
  };
  return base.$extends({
    query: {
      operationStep: {
        async update({ args, query }) {
          const row = await query(args);
          const { key } = await base.operationStep.findUniqueOrThrow({
            where: { id: args.where.id! },
            select: { key: true },
          });
          const data = args.data as { state?: unknown; intent?: Record<string, unknown> };
          if ("running" in point) {
            if (key === point.running && data.state === "running") await reached();
          } else if (key === point.intentOf && data.intent) {
            const intent = data.intent;
            if (Object.entries(point.fields).every(([k, v]) => intent[k] === v)) await reached();
          }
          return row;
        },
      },
    },
  }) as unknown as Db;
}

if (process.env.PL_OPERATION_ID) {
  const base = createPrismaClient(process.env.DATABASE_URL!);
  const point = process.env.PL_KILL_POINT ? (JSON.parse(process.env.PL_KILL_POINT) as KillPoint) : null;
  const db = point ? withKillPoint(base, point) : base;
  const outcome = await executeOperation(
    db,
    parseKeyRing(process.env.PL_KEY_SPEC!),
    process.env.PL_OPERATION_ID,
    JSON.parse(process.env.PL_OPTIONS ?? "{}"),
  );
  console.log(`outcome ${outcome}`);
  await base.$disconnect();
}
