import PgBoss from "pg-boss";
import { QUEUES } from "./queues";
import type { KeyRing } from "../../crypto";
import { createPrismaClient } from "../db/client";
import { refreshAllHosts } from "../hosts/snapshot";
import { observeFleet, type FleetObservationOptions } from "../instances/observe-fleet";
import { observeInstance } from "../instances/observe";
import { errorText } from "../../errors";
import { englishText } from "../../i18n/message";
import type { DeployOptions } from "../instances/deploy";
import { executeOperation, staleOperations } from "../operations/execute";
import { requestDueBackups } from "../backups/schedule";
import { storedMailer } from "../alerts/mail-settings";
import { checkBackupAlerts, type Mailer } from "../alerts/backup-alerts";
import type { RegistryConfig } from "../registry/registry-client";
import { refreshTagCache } from "../registry/tag-cache";
import { startAuditForwarder } from "../audit/syslog";
import { flushRefusalTallies } from "../audit/record-refusal";
import { hostname } from "node:os";
import { checkRepositoriesInFull } from "../repositories/full-check";
import { purgeExpired, type Retention } from "../housekeeping/purge";
import { runDueSchedules } from "../upgrades/schedule";

/**
 * Background jobs on PostgreSQL (pg-boss: a maintained job queue on the
 * database the panel already has, with cron schedules, singleton queues and
 * retries; its tables live in their own schema, `pgboss`). The snapshot of
 * every host runs each minute; the queue's "stately" policy means one run at
 * a time across every panel process sharing the database.
 */
export { QUEUES };

/** Operations after which the instance is observed at once (its containers were re-created or restarted). */
const CHANGES_CONTAINERS = new Set(["deploy", "upgrade", "database_upgrade", "restore", "recover"]);

export interface JobsOptions {
  databaseUrl: string;
  /** The job queue's connection (its schema is created and migrated by pg-boss): the tables' owner. Default databaseUrl. */
  queueUrl?: string;
  ring: KeyRing;
  log: (line: string) => void;
  /** Cron of the host snapshots. Default every minute. */
  snapshotCron?: string;
  /** Per-host deadline and parallel hosts. */
  snapshotTimeoutMs?: number;
  snapshotConcurrency?: number;
  /** Background observation of the instances after each snapshot (bounded per host and overall). */
  observation?: FleetObservationOptions;
  /** Images to prefer for measuring free disk space. */
  helperImages?: string[];
  /** Where newer eLabFTW versions are looked up. */
  registry: RegistryConfig;
  /** Backup alerts: the mail server from the environment (none: the one saved in Settings, if any) and the panel's address for links. */
  mailer?: Mailer | null;
  panelUrl?: string;
  /** Name of this worker in operation leases. */
  owner?: string;
  deploy?: DeployOptions;
  /** HOSTNAME field of the syslog messages (default: this machine's name) and the forwarder's pace. */
  syslogHostname?: string;
  syslogIntervalMs?: number;
  /** How often operations left without a worker are handed out again (default every minute). */
  sweepIntervalMs?: number;
  /** What the daily housekeeping keeps (default: ended sessions 30 days, finished operations' logs 365 days). */
  retention?: Retention;
}

export interface Jobs {
  boss: PgBoss;
  stop: () => Promise<void>;
}

export async function startJobs(options: JobsOptions): Promise<Jobs> {
  const db = createPrismaClient(options.databaseUrl);
  const boss = new PgBoss({
    connectionString: options.queueUrl ?? options.databaseUrl,
    schema: "pgboss",
    application_name: "paillasse-jobs",
    max: 4,
  });
  // Once stopping, the connections it closes (and a database stopped right after) are expected, not errors.
  let stopping = false;
  boss.on("error", (error: Error) => {
    if (!stopping) options.log(`Job queue error: ${error.message}`);
  });
  await boss.start();
  /** A periodic job: one run at a time across every panel process ("stately"), on a UTC cron. */
  const periodic = async (
    name: string,
    cron: string,
    settings: { expireInSeconds: number; pollingIntervalSeconds: number },
    handler: () => Promise<unknown>,
  ) => {
    await boss.createQueue(name, { name, policy: "stately", retryLimit: 0, expireInSeconds: settings.expireInSeconds });
    await boss.schedule(name, cron, {}, { tz: "UTC" });
    await boss.work(name, { pollingIntervalSeconds: settings.pollingIntervalSeconds }, handler);
  };
  let runs = 0;
  await periodic(
    QUEUES.hostSnapshots,
    options.snapshotCron ?? "* * * * *",
    { expireInSeconds: 300, pollingIntervalSeconds: 2 },
    async () => {
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
      // Then every instance, so the dashboard and the metrics are true for instances nobody opens.
      const fleet = await observeFleet(db, options.ring, options.observation);
      for (const f of fleet.failed) options.log(`Observing ${f.name}: ${f.error}`);
      return { ...summary, instances: { ...fleet, failed: fleet.failed.length } };
    },
  );
  // Newer eLabFTW versions: the registry's tag lists, hourly.
  await periodic(QUEUES.registryTags, "17 * * * *", { expireInSeconds: 300, pollingIntervalSeconds: 5 }, async () => {
    const cache = await refreshTagCache(db, options.registry);
    const failed = Object.entries(cache).filter(([, v]) => v.error);
    for (const [repository, v] of failed) options.log(`Registry tags of ${repository}: ${v.error}`);
  });
  // Operations (deploy, and later upgrade, backup, restore): one job each, run
  // one at a time per operation, several operations side by side.
  await boss.createQueue(QUEUES.operations, {
    name: QUEUES.operations,
    policy: "standard",
    retryLimit: 0,
    expireInSeconds: 4 * 3600,
  });
  const owner = options.owner ?? `panel-${process.pid}`;
  // Each worker takes one job at a time: three operations can run at once.
  for (let i = 0; i < 3; i++) {
    await boss.work<{ operationId: string }>(
      QUEUES.operations,
      { pollingIntervalSeconds: 1, batchSize: 1 },
      async ([job]) => {
        if (!job) return;
        const outcome = await executeOperation(db, options.ring, job.data.operationId, {
          owner,
          deploy: options.deploy,
        });
        options.log(`Operation ${job.data.operationId}: ${outcome}.`);
        // After a change to its containers, the instance's page shows them as they are now, not at the last minute.
        const done = await db.operation.findUnique({
          where: { id: job.data.operationId },
          select: { kind: true, instanceId: true },
        });
        if (done?.instanceId && CHANGES_CONTAINERS.has(done.kind)) {
          await observeInstance(db, options.ring, done.instanceId, { onlyWhenIdle: true }).catch((error: unknown) =>
            options.log(`Observing after operation ${job.data.operationId}: ${englishText(errorText(error))}`),
          );
        }
        // A backup or verification may open or close an alert incident: check now, not in 5 minutes.
        await boss.send(QUEUES.backupAlerts, {});
      },
    );
  }
  // Housekeeping, daily at night (UTC): used challenges, ended sessions and old operation logs go.
  await periodic(QUEUES.housekeeping, "23 3 * * *", { expireInSeconds: 900, pollingIntervalSeconds: 30 }, async () => {
    const purged = await purgeExpired(db, options.retention ?? { sessionDays: 30, operationLogDays: 365 });
    options.log(
      `Housekeeping: ${purged.challenges} challenge(s), ${purged.sessions} ended session(s), ${purged.operationLogLines} old operation log line(s) deleted.`,
    );
  });
  // Each repository read in full (`restic check --read-data`) once every 30 days, one at a time, at night.
  await periodic(QUEUES.repositoryCheck, "41 4 * * *", { expireInSeconds: 23 * 3600, pollingIntervalSeconds: 60 }, () =>
    checkRepositoriesInFull(db, options.ring, new Date(), { log: options.log }),
  );
  // Refused attempts counted during a minute become their one audit event once it is over.
  await periodic(QUEUES.refusalTallies, "* * * * *", { expireInSeconds: 120, pollingIntervalSeconds: 5 }, () =>
    flushRefusalTallies(db),
  );
  // Scheduled backups: one scheduler run at a time, every minute; each due backup is an operation.
  await periodic(QUEUES.backupScheduler, "* * * * *", { expireInSeconds: 120, pollingIntervalSeconds: 5 }, async () => {
    for (const { operationId, slotKey } of await requestDueBackups(db, new Date())) {
      await boss.send(QUEUES.operations, { operationId }, { singletonKey: slotKey });
      options.log(`Scheduled backup requested (${slotKey}).`);
    }
  });
  // Scheduled upgrades: checked every minute; a due schedule runs its upgrades here, one at a time (hours, at
  // worst: the queue's expiry is long), and a schedule left running by a panel that stopped is resumed.
  await periodic(
    QUEUES.upgradeSchedules,
    "* * * * *",
    { expireInSeconds: 12 * 3600, pollingIntervalSeconds: 5 },
    async () =>
      runDueSchedules(db, options.ring, {
        execute: { owner, deploy: options.deploy },
        mailer: options.mailer ?? (await storedMailer(db, options.ring)),
        panelUrl: options.panelUrl ?? "the panel",
        log: options.log,
      }),
  );
  // Backup alerts: stale or failing backups mailed once per incident, and their recovery.
  await periodic(QUEUES.backupAlerts, "*/5 * * * *", { expireInSeconds: 300, pollingIntervalSeconds: 5 }, async () => {
    // The environment's mail server if set, else the one saved on the Settings page (read each time: it may change).
    await checkBackupAlerts(db, options.mailer ?? (await storedMailer(db, options.ring)), {
      panelUrl: options.panelUrl ?? "the panel",
      log: options.log,
    });
  });
  // Operations left behind are handed to the workers again: at start (a panel that stopped mid-way), then every
  // minute (a request whose job was never sent, a worker that died). The singleton key keeps one job per operation,
  // and the lease decides who runs it.
  const sweep = async () => {
    for (const operationId of await staleOperations(db)) {
      await boss.send(QUEUES.operations, { operationId }, { singletonKey: operationId });
    }
  };
  await sweep();
  const sweeper = setInterval(
    () => void sweep().catch((error: Error) => options.log(`Operation sweep: ${error.message}`)),
    options.sweepIntervalMs ?? 60_000,
  );
  // The audit trail to the syslog collector, when one is set: every few seconds, retried while it is down.
  const forwarder = startAuditForwarder(db, {
    hostname: options.syslogHostname ?? hostname(),
    log: options.log,
    intervalMs: options.syslogIntervalMs,
  });
  // A first snapshot and tag list right away, not in a minute or an hour.
  await boss.send(QUEUES.hostSnapshots, {});
  await boss.send(QUEUES.registryTags, {});
  return {
    boss,
    stop: async () => {
      stopping = true;
      clearInterval(sweeper);
      await forwarder.stop();
      // Let a running job finish for up to 5 s, then close the queue's connections.
      await boss
        .stop({ graceful: true, timeout: 5_000, wait: true, close: true })
        .catch((error: Error) => options.log(`Job queue stop: ${error.message}`));
      await db.$disconnect().catch(() => undefined);
    },
  };
}
