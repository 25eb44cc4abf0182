import type { Prisma } from "../../generated/prisma/client";
import type { Db } from "../db/client";
import { updatesFor } from "../registry/versions";
import { readTagCache } from "../registry/tag-cache";
import { instanceScope, type Viewer } from "../scope";
import { readObservation, type Observation } from "../instances/observe";

/**
 * The fleet as the dashboard and the Instances page show it: one row per
 * instance with what the last observation, host snapshot, registry tag list
 * and backups say. Everything is read from the database (stored by the jobs),
 * so the page never waits on an engine or a registry.
 */
export interface FleetFilters {
  unit?: string;
  host?: string;
  state?: string;
}

const STATES = ["unknown", "running", "degraded", "stopped", "unreachable"] as const;

export function parseFleetFilters(params: Record<string, string | string[] | undefined>): FleetFilters {
  const one = (v: string | string[] | undefined) => (typeof v === "string" && v.length <= 64 ? v : undefined);
  const state = one(params.state);
  return {
    unit: one(params.unit),
    host: one(params.host),
    state: state && (STATES as readonly string[]).includes(state) ? state : undefined,
  };
}

/** What `bin/console db:check` last said, as the dashboard shows it: in sync, behind the image, ahead of it. */
export function schemaState(schema: Observation["schema"] | undefined): {
  state: "in_sync" | "behind" | "ahead" | "unknown";
  current: number | null;
  required: number | null;
} {
  if (!schema || !("current" in schema)) return { state: "unknown", current: null, required: null };
  return {
    state: schema.upToDate ? "in_sync" : schema.ahead ? "ahead" : "behind",
    current: schema.current,
    required: schema.required,
  };
}

export async function findFleet(db: Db, viewer: Viewer, filters: FleetFilters = {}) {
  const where: Prisma.InstanceWhereInput = {
    AND: [
      instanceScope(viewer),
      filters.unit ? { unit: { code: filters.unit } } : {},
      filters.host ? { webHost: { name: filters.host } } : {},
      filters.state ? { state: filters.state as (typeof STATES)[number] } : {},
    ],
  };
  const [instances, tags] = await Promise.all([
    db.instance.findMany({
      where,
      orderBy: [{ unit: { code: "asc" } }, { name: "asc" }],
      select: {
        id: true,
        name: true,
        state: true,
        health: true,
        imageRepository: true,
        imageTag: true,
        elabftwVersion: true,
        schemaVersion: true,
        complianceScore: true,
        observedAt: true,
        observation: true,
        siteUrl: true,
        unit: { select: { code: true, name: true } },
        webHost: { select: { name: true, reachability: true, lastSnapshotAt: true } },
      },
    }),
    readTagCache(db),
  ]);
  // The last successful backup of every listed instance, in one aggregate query.
  const lastBackups = await db.backup.groupBy({
    by: ["instanceId"],
    where: { status: "succeeded", instanceId: { in: instances.map((i) => i.id) } },
    _max: { finishedAt: true },
  });
  const lastBackupOf = new Map(lastBackups.map((b) => [b.instanceId, b._max.finishedAt]));
  return instances.map((i) => {
    const version = i.elabftwVersion ?? (/^\d+\.\d+\.\d+$/.test(i.imageTag) ? i.imageTag : null);
    const cached = tags[i.imageRepository];
    const { observation, ...row } = i;
    return {
      ...row,
      version,
      schema: schemaState(readObservation(observation)?.schema),
      updates: cached ? updatesFor(version, cached.tags) : null,
      lastBackup: lastBackupOf.get(i.id) ? { finishedAt: lastBackupOf.get(i.id)! } : null,
    };
  });
}

export type FleetRow = Awaited<ReturnType<typeof findFleet>>[number];

/** The values the filters offer, within what the viewer may see. */
export async function fleetFilterOptions(db: Db, viewer: Viewer) {
  const scope = instanceScope(viewer);
  const [units, hosts] = await Promise.all([
    db.unit.findMany({ where: { instances: { some: scope } }, orderBy: { code: "asc" }, select: { code: true } }),
    db.dockerHost.findMany({
      where: { webInstances: { some: scope } },
      orderBy: { name: "asc" },
      select: { name: true },
    }),
  ]);
  return { units: units.map((u) => u.code), hosts: hosts.map((h) => h.name), states: [...STATES] };
}

const DAY = 24 * 3600_000;

/** What needs someone's eyes first: not running, unhealthy, no recent backup, then an available update. */
export function attentionOf(row: FleetRow, now: Date): number {
  let score = 0;
  if (row.state !== "running") score += 8;
  if (row.health !== "ok") score += 4;
  if (!row.lastBackup || now.getTime() - row.lastBackup.finishedAt.getTime() > 1.5 * DAY) score += 2;
  if (row.updates?.newest) score += 1;
  return score;
}

/** Rows sorted by attention (most first), keeping the unit/name order among equals. */
export function byAttention(rows: FleetRow[], now: Date): FleetRow[] {
  return rows
    .map((row, index) => ({ row, index, score: attentionOf(row, now) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((x) => x.row);
}
