import PgBoss from "pg-boss";
import { env } from "../../env";
import { QUEUES } from "./queues";
import type { SendJob } from "../operations/journal";

/**
 * Sending jobs from the web side (server actions). The workers run beside
 * the web server (scripts/start.ts); this client only inserts jobs: no
 * maintenance, no schedules, no schema migration.
 */
const globalForQueue = globalThis as unknown as { paillasseQueues?: Map<string, Promise<PgBoss>> };

function sender(connectionString: string): Promise<PgBoss> {
  const queues = (globalForQueue.paillasseQueues ??= new Map());
  let boss = queues.get(connectionString);
  if (!boss) {
    boss = (async () => {
      const b = new PgBoss({
        connectionString,
        schema: "pgboss",
        application_name: "paillasse-web",
        max: 2,
        supervise: false,
        schedule: false,
        migrate: false,
      });
      b.on("error", () => undefined);
      await b.start();
      return b;
    })().catch((error: unknown) => {
      queues.delete(connectionString);
      throw error;
    });
    queues.set(connectionString, boss);
  }
  return boss;
}

/**
 * Hand an operation to the workers on the transaction that creates it
 * (createOperation's `send`): pg-boss writes its job row through that
 * transaction, so the request and its job are committed together or not at
 * all. A request whose job the queue refused is refused as a whole, nothing
 * written; an operation committed by other means is handed out by the
 * workers' sweep of operations left queued.
 */
export function operationJobSender(connectionString = env().DATABASE_URL): SendJob {
  return async (tx, operationId) => {
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    const boss = await sender(connectionString);
    await boss.send(
      QUEUES.operations,
      { operationId },
      {
        singletonKey: operationId,
        db: {
          executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }),
        },
      },
    );
  };
}

/** The web side's sender (the panel's own database). */
export const sendOperationJob: SendJob = (tx, operationId) => operationJobSender()(tx, operationId);
