import type { Db } from "../db/client";
import { backupScope, instanceScope, unitScope, type Viewer } from "../scope";
import { seesWholeFleet } from "../../auth/permissions";

export interface FleetSummary {
  hosts: number;
  unreachableHosts: number;
  instances: number;
  units: number;
  operationsRunning: number;
  failedBackupsLast7Days: number;
}

/**
 * Counts for the dashboard header; one round trip per figure, all in
 * parallel. A correspondant's figures cover their units only (no hosts, no
 * operations: those are not theirs to see).
 */
export async function getFleetSummary(db: Db, viewer: Viewer, now = new Date()): Promise<FleetSummary> {
  const staff = seesWholeFleet(viewer.role);
  const weekAgo = new Date(now.getTime() - 7 * 24 * 3600 * 1000);
  const [hosts, unreachableHosts, instances, units, operationsRunning, failedBackupsLast7Days] = await Promise.all([
    staff ? db.dockerHost.count() : 0,
    staff ? db.dockerHost.count({ where: { reachability: "unreachable" } }) : 0,
    db.instance.count({ where: instanceScope(viewer) }),
    db.unit.count({ where: unitScope(viewer) }),
    staff ? db.operation.count({ where: { state: { in: ["queued", "running", "rolling_back"] } } }) : 0,
    db.backup.count({ where: { ...backupScope(viewer), status: "failed", createdAt: { gte: weekAgo } } }),
  ]);
  return { hosts, unreachableHosts, instances, units, operationsRunning, failedBackupsLast7Days };
}
