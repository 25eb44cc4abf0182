import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAuditEvent } from "../../lib/server/audit/record-audit-event";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { collectMetrics } from "../../lib/server/metrics/metrics";
import { useFreshDatabase } from "../support/fresh-database";
import type { Observation } from "../../lib/server/instances/observe";

/** The value of one sample, found by its name and exact label set. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(",");
  for (const line of text.split("\n")) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? "")
      .split(/,(?=[a-z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(",");
    if (have === wanted) return Number(m[3]);
  }
  return undefined;
}

/** A whole observation as observeInstance stores it (what the metrics read goes through its schema). */
const observed = (schema: Observation["schema"]): Observation => ({
  at: new Date().toISOString(),
  web: null,
  database: null,
  health: { verdict: "ok", detail: "ok" },
  schema,
  elabftwVersion: "5.1.0",
  uploadsBytes: null,
  problems: [],
  compliance: null,
  usage: { configured: false },
});

describe("Prometheus metrics", () => {
  const database = useFreshDatabase("metrics", { migrated: true });
  let db: Db;
  const now = new Date("2026-12-02T12:00:00Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000);

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const up = await db.dockerHost.create({
      data: {
        name: "docker-a",
        kind: "socket",
        address: "/run/a.sock",
        reachability: "reachable",
        lastSnapshotAt: ago(30),
      },
    });
    await db.dockerHost.create({
      data: {
        name: "docker-b",
        kind: "socket",
        address: "/run/b.sock",
        reachability: "unreachable",
        lastSnapshotAt: ago(600),
      },
    });
    await db.dockerHost.create({ data: { name: "docker-new", kind: "socket", address: "/run/c.sock" } });
    const unit = await db.unit.create({ data: { code: "UMR5000", name: "Chimie" } });
    const base = {
      unitId: unit.id,
      webHostId: up.id,
      databasePlacement: "container" as const,
      siteUrl: "https://elab.unit.example",
      uploadsKind: "volume" as const,
      uploadsSource: "uploads",
    };
    const healthy = await db.instance.create({
      data: {
        ...base,
        name: "elab-chimie",
        webContainerName: "elab-chimie",
        imageTag: "5.1.0",
        elabftwVersion: "5.1.0",
        schemaVersion: 165,
        state: "running",
        health: "ok",
        observedAt: ago(45),
        observation: observed({ current: 165, required: 165, upToDate: true, ahead: false, detail: "" }),
      },
    });
    await db.instance.create({
      data: {
        ...base,
        name: "elab-behind",
        webContainerName: "elab-behind",
        imageTag: "5.1.0",
        state: "degraded",
        health: "ko",
        observation: observed({ current: 144, required: 165, upToDate: false, ahead: false, detail: "" }),
      },
    });
    const backup = (finishedAt: Date, verified: boolean, bytes: number) =>
      db.backup.create({
        data: {
          instanceId: healthy.id,
          trigger: "scheduled",
          status: "succeeded",
          finishedAt,
          databaseBytes: BigInt(bytes),
          uploadsBytes: BigInt(bytes * 10),
          totalBytes: BigInt(bytes * 11),
          verificationStatus: verified ? "passed" : "not_verified",
          verifiedAt: verified ? finishedAt : null,
        },
      });
    await backup(ago(86_400), true, 1000);
    await backup(ago(3_600), false, 2000);
    await db.backup.create({
      data: { instanceId: healthy.id, trigger: "manual", status: "failed", finishedAt: ago(60) },
    });
    const op = (
      kind: "backup" | "upgrade",
      state: "succeeded" | "failed" | "rolled_back" | "running",
      seconds: number,
    ) =>
      db.operation.create({
        data: {
          kind,
          state,
          instanceId: healthy.id,
          startedAt: ago(seconds + 100),
          finishedAt: state === "running" ? null : ago(100),
        },
      });
    await op("backup", "succeeded", 20);
    await op("backup", "succeeded", 40);
    await op("upgrade", "rolled_back", 200);
    await op("upgrade", "running", 0);
    const upgraded = await op("upgrade", "succeeded", 300);
    await db.operation.update({ where: { id: upgraded.id }, data: { result: { commit: { downtimeMs: 4250 } } } });
    for (const outcome of ["denied", "failure", "success"] as const) {
      await recordAuditEvent(db, { actor: { type: "anonymous" }, action: "auth.sign_in", outcome });
    }
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("gives per instance, host and operation figures read from the inventory", async () => {
    const text = await collectMetrics(db, now);
    const chimie = { instance: "elab-chimie", unit: "UMR5000", host: "docker-a" };
    const behind = { instance: "elab-behind", unit: "UMR5000", host: "docker-a" };
    expect(sample(text, "paillasse_instance_up", chimie)).toBe(1);
    expect(sample(text, "paillasse_instance_healthy", chimie)).toBe(1);
    expect(sample(text, "paillasse_instance_healthy", behind)).toBe(0);
    expect(sample(text, "paillasse_instance_info", { ...chimie, image_tag: "5.1.0", version: "5.1.0" })).toBe(1);
    expect(sample(text, "paillasse_instance_schema_in_sync", chimie)).toBe(1);
    expect(sample(text, "paillasse_instance_schema_in_sync", behind)).toBe(0);
    expect(sample(text, "paillasse_instance_schema_version", behind)).toBe(144);
    expect(sample(text, "paillasse_instance_observation_age_seconds", chimie)).toBe(45);
    // The last successful backup (not the failed one after it), and the last verified one.
    expect(sample(text, "paillasse_instance_last_backup_age_seconds", chimie)).toBe(3600);
    expect(sample(text, "paillasse_instance_last_verified_backup_age_seconds", chimie)).toBe(86_400);
    expect(sample(text, "paillasse_instance_last_backup_bytes", { ...chimie, part: "database" })).toBe(2000);
    expect(sample(text, "paillasse_instance_last_backup_bytes", { ...chimie, part: "uploads" })).toBe(20_000);
    // Never backed up: no sample rather than a made-up age.
    expect(sample(text, "paillasse_instance_last_backup_age_seconds", behind)).toBeUndefined();
    expect(sample(text, "paillasse_host_reachable", { host: "docker-a" })).toBe(1);
    expect(sample(text, "paillasse_host_reachable", { host: "docker-b" })).toBe(0);
    expect(sample(text, "paillasse_host_reachable", { host: "docker-new" })).toBeUndefined();
    expect(sample(text, "paillasse_host_snapshot_age_seconds", { host: "docker-b" })).toBe(600);
    expect(sample(text, "paillasse_operations_total", { kind: "backup", result: "succeeded" })).toBe(2);
    expect(sample(text, "paillasse_operations_total", { kind: "upgrade", result: "rolled_back" })).toBe(1);
    expect(sample(text, "paillasse_instance_last_upgrade_downtime_seconds", chimie)).toBe(4.25);
    expect(sample(text, "paillasse_operation_duration_seconds_count", { kind: "backup", result: "succeeded" })).toBe(2);
    expect(sample(text, "paillasse_operation_duration_seconds_sum", { kind: "backup", result: "succeeded" })).toBe(60);
    expect(
      sample(text, "paillasse_operation_duration_seconds_bucket", { kind: "backup", result: "succeeded", le: "30" }),
    ).toBe(1);
    expect(sample(text, "paillasse_login_failures_total")).toBe(2);
    expect(text).toContain("# TYPE paillasse_operation_duration_seconds histogram");
  });
});
