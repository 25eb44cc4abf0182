import { readObservation } from "../instances/observe";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Db } from "../db/client";
import { gateRefusals } from "../network/gate-refusals";
import { upgradeDowntimeMs } from "../operations/result-view";

/**
 * The fleet in Prometheus's text format (prom-client). Everything is read
 * from the database at scrape time into a registry of its own, so the
 * figures are the same whichever panel process answers and nothing piles up
 * in memory between scrapes. Label values are names (instance, unit, host),
 * never secrets.
 */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const DURATION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

export async function collectMetrics(db: Db, now = new Date()): Promise<string> {
  const registry = new Registry();
  const seconds = (d: Date | null | undefined) => (d ? Math.max(0, (now.getTime() - d.getTime()) / 1000) : null);

  const forwarding = await db.auditForwarding.findUnique({ where: { target: "syslog" } });
  const [
    instances,
    hosts,
    lastBackups,
    lastVerified,
    operations,
    loginFailures,
    pendingAudit,
    lastUpgrades,
    lastCopies,
  ] = await Promise.all([
    db.instance.findMany({
      select: {
        id: true,
        name: true,
        state: true,
        health: true,
        imageTag: true,
        elabftwVersion: true,
        schemaVersion: true,
        observation: true,
        observedAt: true,
        unit: { select: { code: true } },
        webHost: { select: { name: true } },
      },
    }),
    db.dockerHost.findMany({ select: { name: true, reachability: true, lastSnapshotAt: true } }),
    db.backup.findMany({
      where: { status: "succeeded" },
      orderBy: [{ instanceId: "asc" }, { finishedAt: "desc" }],
      distinct: ["instanceId"],
      select: { instanceId: true, finishedAt: true, databaseBytes: true, uploadsBytes: true, totalBytes: true },
    }),
    db.backup.findMany({
      where: { status: "succeeded", verificationStatus: "passed" },
      orderBy: [{ instanceId: "asc" }, { verifiedAt: "desc" }],
      distinct: ["instanceId"],
      select: { instanceId: true, finishedAt: true },
    }),
    db.operation.findMany({
      where: { state: { in: ["succeeded", "failed", "rolled_back"] } },
      select: { kind: true, state: true, startedAt: true, createdAt: true, finishedAt: true },
    }),
    // Refusals in a flood are one event per source and minute with their count (record-refusal.ts).
    db.$queryRaw<{ n: bigint }[]>`
        SELECT COALESCE(SUM(COALESCE(("params"->>'count')::int, 1)), 0)::bigint AS n FROM "AuditEvent"
        WHERE "action" = 'auth.sign_in' AND "outcome" IN ('failure', 'denied')`.then((rows) => Number(rows[0]!.n)),
    forwarding ? db.auditEvent.count({ where: { id: { gt: forwarding.lastEventId } } }) : 0,
    db.operation.findMany({
      where: { kind: "upgrade", state: "succeeded", instanceId: { not: null } },
      orderBy: [{ instanceId: "asc" }, { finishedAt: "desc" }],
      distinct: ["instanceId"],
      select: { instanceId: true, result: true },
    }),
    // The newest copy of each instance in each off-site repository.
    db.backup.findMany({
      where: { status: "succeeded", offsiteCopiedAt: { not: null } },
      orderBy: [{ instanceId: "asc" }, { offsiteRepositoryId: "asc" }, { offsiteCopiedAt: "desc" }],
      distinct: ["instanceId", "offsiteRepositoryId"],
      select: { instanceId: true, offsiteCopiedAt: true, offsiteRepository: { select: { name: true } } },
    }),
  ]);

  const instanceLabels = ["instance", "unit", "host"] as const;
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const up = gauge(
    "paillasse_instance_up",
    "1 when the instance's web container runs and answered the last observation, else 0.",
    instanceLabels,
  );
  const healthy = gauge(
    "paillasse_instance_healthy",
    "1 when eLabFTW's own health check (/healthcheck.php) said ok at the last observation, else 0.",
    instanceLabels,
  );
  const info = gauge("paillasse_instance_info", "Always 1; the labels carry the image tag and the eLabFTW version.", [
    ...instanceLabels,
    "image_tag",
    "version",
  ]);
  const schemaInSync = gauge(
    "paillasse_instance_schema_in_sync",
    "1 when db:check said no upgrade is required, 0 when the schema is behind or ahead of the image; absent when unknown.",
    instanceLabels,
  );
  const schemaVersion = gauge(
    "paillasse_instance_schema_version",
    "The database schema version read by db:check.",
    instanceLabels,
  );
  const observationAge = gauge(
    "paillasse_instance_observation_age_seconds",
    "Seconds since the instance was last observed.",
    instanceLabels,
  );
  const backupAge = gauge(
    "paillasse_instance_last_backup_age_seconds",
    "Seconds since the last successful backup finished (absent: never).",
    instanceLabels,
  );
  const verifiedAge = gauge(
    "paillasse_instance_last_verified_backup_age_seconds",
    "Seconds since the last backup that passed verification finished (absent: never).",
    instanceLabels,
  );
  const offsiteAge = gauge(
    "paillasse_instance_last_offsite_copy_age_seconds",
    "Seconds since the instance's last restore point was copied to an off-site repository, per repository.",
    [...instanceLabels, "repository"],
  );
  const backupBytes = gauge(
    "paillasse_instance_last_backup_bytes",
    "Size of the last successful backup, by part (database, uploads, total: encrypted files).",
    [...instanceLabels, "part"],
  );

  const upgradeDowntime = gauge(
    "paillasse_instance_last_upgrade_downtime_seconds",
    "Downtime of the last successful upgrade: from the stop until eLabFTW served real pages again (healthy, schema in sync).",
    instanceLabels,
  );
  const downtimes = new Map(lastUpgrades.map((o) => [o.instanceId, upgradeDowntimeMs(o.result)]));

  const last = new Map(lastBackups.map((b) => [b.instanceId, b]));
  const verified = new Map(lastVerified.map((b) => [b.instanceId, b]));
  for (const i of instances) {
    const labels = { instance: i.name, unit: i.unit.code, host: i.webHost.name };
    up.set(labels, i.state === "running" || i.state === "degraded" ? 1 : 0);
    healthy.set(labels, i.health === "ok" ? 1 : 0);
    info.set({ ...labels, image_tag: i.imageTag, version: i.elabftwVersion ?? "unknown" }, 1);
    const schema = readObservation(i.observation)?.schema;
    const check = schema && "upToDate" in schema ? schema : null;
    if (check) schemaInSync.set(labels, check.upToDate ? 1 : 0);
    const version = i.schemaVersion ?? check?.current;
    if (typeof version === "number") schemaVersion.set(labels, version);
    const observed = seconds(i.observedAt);
    if (observed !== null) observationAge.set(labels, observed);
    const downtime = downtimes.get(i.id);
    if (typeof downtime === "number") upgradeDowntime.set(labels, downtime / 1000);
    const b = last.get(i.id);
    const age = seconds(b?.finishedAt);
    if (age !== null) backupAge.set(labels, age);
    const v = seconds(verified.get(i.id)?.finishedAt);
    if (v !== null) verifiedAge.set(labels, v);
    for (const copy of lastCopies.filter((c) => c.instanceId === i.id)) {
      const copied = seconds(copy.offsiteCopiedAt);
      if (copied !== null && copy.offsiteRepository) {
        offsiteAge.set({ ...labels, repository: copy.offsiteRepository.name }, copied);
      }
    }
    if (b) {
      for (const [part, bytes] of [
        ["database", b.databaseBytes],
        ["uploads", b.uploadsBytes],
        ["total", b.totalBytes],
      ] as const) {
        if (bytes !== null) backupBytes.set({ ...labels, part }, Number(bytes));
      }
    }
  }

  // Each repository's last full read (restic check --read-data): when, and whether it found damage.
  const repositories = await db.backupRepository.findMany({
    where: { fullCheckAt: { not: null } },
    select: { name: true, fullCheckAt: true, fullCheckOk: true },
  });
  const fullCheckAge = gauge(
    "paillasse_repository_full_check_age_seconds",
    "Seconds since the repository was last read in full (absent: never yet).",
    ["repository"],
  );
  const damaged = gauge(
    "paillasse_repository_damaged",
    "1 when the repository's last full read found damage, 0 when it found none.",
    ["repository"],
  );
  for (const r of repositories) {
    fullCheckAge.set({ repository: r.name }, seconds(r.fullCheckAt)!);
    damaged.set({ repository: r.name }, r.fullCheckOk ? 0 : 1);
  }

  const reachable = gauge(
    "paillasse_host_reachable",
    "1 when the Docker host answered the last snapshot, 0 when not (absent: never tried).",
    ["host"],
  );
  const snapshotAge = gauge("paillasse_host_snapshot_age_seconds", "Seconds since the host's last snapshot.", ["host"]);
  for (const h of hosts) {
    if (h.reachability !== "unknown") reachable.set({ host: h.name }, h.reachability === "reachable" ? 1 : 0);
    const age = seconds(h.lastSnapshotAt);
    if (age !== null) snapshotAge.set({ host: h.name }, age);
  }

  const operationsTotal = new Counter({
    name: "paillasse_operations_total",
    help: "Finished operations by kind and result.",
    labelNames: ["kind", "result"],
    registers: [registry],
  });
  const durations = new Histogram({
    name: "paillasse_operation_duration_seconds",
    help: "How long finished operations took, by kind and result.",
    labelNames: ["kind", "result"],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  for (const o of operations) {
    const labels = { kind: o.kind, result: o.state };
    operationsTotal.inc(labels);
    const start = o.startedAt ?? o.createdAt;
    if (o.finishedAt) durations.observe(labels, Math.max(0, (o.finishedAt.getTime() - start.getTime()) / 1000));
  }

  new Counter({
    name: "paillasse_login_failures_total",
    help: "Sign-ins refused (wrong or unknown key, disabled operator, rate limit), from the audit trail.",
    registers: [registry],
  }).inc(loginFailures);
  new Counter({
    name: "paillasse_network_gate_refusals_total",
    help: "Requests refused because they came from outside the trusted networks (this panel process, since it started).",
    registers: [registry],
  }).inc(gateRefusals());
  new Gauge({
    name: "paillasse_audit_events_pending_forward",
    help: "Audit events not yet taken by the syslog collector (0 when forwarding is not set up).",
    registers: [registry],
  }).set(pendingAudit);

  return registry.metrics();
}
