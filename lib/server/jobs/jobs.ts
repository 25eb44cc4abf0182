import PgBoss from "pg-boss";
import type { KeyRing } from "../../crypto";
import { createPrismaClient } from "../db/client";
import { refreshAllHosts } from "../hosts/snapshot";
import type { RegistryConfig } from "../registry/registry-client";
import { refreshTagCache } from "../registry/tag-cache";

/**
 * Background jobs on PostgreSQL (pg-boss: a maintained job queue on the
 * database the panel already has, with cron schedules, singleton queues and
 * retries; its tables live in their own schema, `pgboss`). The snapshot of
 * every host runs each minute; the queue's "stately" policy means one run at
 * a time across every panel process sharing the database.
 */
export const QUEUES = { hostSnapshots: "hosts-snapshot", registryTags: "registry-tags" } as const;

export interface JobsOptions {
  databaseUrl: string;
  ring: KeyRing;
  log: (line: string) => void;
  /** Cron of the host snapshots. Default every minute. */
  snapshotCron?: string;
  /** Per-host deadline and parallel hosts. */
  snapshotTimeoutMs?: number;
  snapshotConcurrency?: number;
  /** Images to prefer for measuring free disk space. */
  helperImages?: string[];
  /** Where newer eLabFTW versions are looked up. */
  registry: RegistryConfig;
}

export interface Jobs {
  boss: PgBoss;
  stop: () => Promise<void>;
}

export async function startJobs(options: JobsOptions): Promise<Jobs> {
  const db = createPrismaClient(options.databaseUrl);
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: "pgboss",
    application_name: "paillasse-jobs",
    max: 4,
  });
  boss.on("error", (error: Error) => options.log(`Job queue error: ${error.message}`));
  await boss.start();
  await boss.createQueue(QUEUES.hostSnapshots, {
    name: QUEUES.hostSnapshots,
    policy: "stately",
    retryLimit: 0,
    expireInSeconds: 300,
  });
  await boss.schedule(QUEUES.hostSnapshots, options.snapshotCron ?? "* * * * *", {}, { tz: "UTC" });
  let runs = 0;
  await boss.work(QUEUES.hostSnapshots, { pollingIntervalSeconds: 2 }, async () => {
    // Free space needs a helper container: measured at the first run and every 15th after.
    const measureDisk = runs++ % 15 === 0;
    const summary = await refreshAllHosts(db, options.ring, {
      timeoutMs: options.snapshotTimeoutMs ?? 8_000,
      concurrency: options.snapshotConcurrency ?? 8,
      measureDisk,
      helperImages: options.helperImages,
    });
    if (summary.unreachable.length) {
      options.log(
        `Host snapshot: ${summary.reachable}/${summary.hosts} reachable; unreachable: ${summary.unreachable.join(", ")}.`,
      );
    }
    return summary;
  });
  // Newer eLabFTW versions: the registry's tag lists, hourly.
  await boss.createQueue(QUEUES.registryTags, {
    name: QUEUES.registryTags,
    policy: "stately",
    retryLimit: 0,
    expireInSeconds: 300,
  });
  await boss.schedule(QUEUES.registryTags, "17 * * * *", {}, { tz: "UTC" });
  await boss.work(QUEUES.registryTags, { pollingIntervalSeconds: 5 }, async () => {
    const cache = await refreshTagCache(db, options.registry);
    const failed = Object.entries(cache).filter(([, v]) => v.error);
    for (const [repository, v] of failed) options.log(`Registry tags of ${repository}: ${v.error}`);
  });
  // A first snapshot and tag list right away, not in a minute or an hour.
  await boss.send(QUEUES.hostSnapshots, {});
  await boss.send(QUEUES.registryTags, {});
  return {
    boss,
    stop: async () => {
      // Let a running job finish for up to 5 s, then close the queue's connections.
      await boss
        .stop({ graceful: true, timeout: 5_000, wait: true, close: true })
        .catch((error: Error) => options.log(`Job queue stop: ${error.message}`));
      await db.$disconnect().catch(() => undefined);
    },
  };
}
