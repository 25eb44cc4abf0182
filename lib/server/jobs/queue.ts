import PgBoss from "pg-boss";
import { env } from "../../env";
import { QUEUES } from "./queues";
import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { abandonUnsent } from "../operations/execute";

/**
 * Sending jobs from the web side (server actions). The workers run beside
 * the web server (scripts/start.ts); this client only inserts jobs: no
 * maintenance, no schedules, no schema migration.
 */
const globalForQueue = globalThis as unknown as { paillasseQueue?: Promise<PgBoss> };

function sender(): Promise<PgBoss> {
  globalForQueue.paillasseQueue ??= (async () => {
    const boss = new PgBoss({
      connectionString: env().DATABASE_URL,
      schema: "pgboss",
      application_name: "paillasse-web",
      max: 2,
      supervise: false,
      schedule: false,
      migrate: false,
    });
    boss.on("error", () => undefined);
    await boss.start();
    return boss;
  })().catch((error: unknown) => {
    globalForQueue.paillasseQueue = undefined;
    throw error;
  });
  return globalForQueue.paillasseQueue;
}

/**
 * Hand an operation to the workers. When the queue cannot take it, the
 * operation ends failed before anything ran (the instance is free again) and
 * the operator is told; a panel that stopped between the two is covered by
 * the workers' sweep of operations left queued.
 */
export async function enqueueOperation(db: Db, operationId: string): Promise<void> {
  try {
    const boss = await sender();
    await boss.send(QUEUES.operations, { operationId }, { singletonKey: operationId });
  } catch (error) {
    await abandonUnsent(
      db,
      operationId,
      `The job queue did not take this operation (${(error as Error).message}); nothing was done.`,
    );
    throw new AppError("unavailable", "The job queue did not take this request, so nothing was done.", {
      hint: "Try again in a moment; if it keeps failing, check the panel's log and its database.",
    });
  }
}
