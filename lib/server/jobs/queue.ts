import PgBoss from "pg-boss";
import { env } from "../../env";
import { QUEUES } from "./queues";

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

/** Hand an operation to the workers. */
export async function enqueueOperation(operationId: string): Promise<void> {
  const boss = await sender();
  await boss.send(QUEUES.operations, { operationId }, { singletonKey: operationId });
}
