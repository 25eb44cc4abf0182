import type { Db } from "../db/client";

export interface FleetSummary {
  hosts: number;
  unreachableHosts: number;
  instances: number;
  units: number;
  operationsRunning: number;
  failedBackupsLast7Days: number;
}

/** Counts for the dashboard header; one round trip per figure, all in parallel. */
export async function getFleetSummary(db: Db, now = new Date()): Promise<FleetSummary> {
  const weekAgo = new Date(now.getTime() - 7 * 24 * 3600 * 1000);
  const [hosts, unreachableHosts, instances, units, operationsRunning, failedBackupsLast7Days] = await Promise.all([
    db.dockerHost.count(),
    db.dockerHost.count({ where: { reachability: "unreachable" } }),
    db.instance.count(),
    db.unit.count(),
    db.operation.count({ where: { state: { in: ["queued", "running", "rolling_back"] } } }),
    db.backup.count({ where: { status: "failed", createdAt: { gte: weekAgo } } }),
  ]);
  return { hosts, unreachableHosts, instances, units, operationsRunning, failedBackupsLast7Days };
}
