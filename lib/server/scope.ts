import type { Prisma } from "../generated/prisma/client";
import { seesWholeFleet, type Role } from "../auth/permissions";

/**
 * Row-level scope for the fleet. Admins and operators see everything; a
 * correspondant CLE sees only the instances of the units they belong to.
 * Every query that lists fleet data puts one of these in its `where`, so the
 * scope is enforced by the database query itself, not by hiding rows later.
 */
export interface Viewer {
  id: string;
  role: Role;
}

export function instanceScope(viewer: Viewer): Prisma.InstanceWhereInput {
  if (seesWholeFleet(viewer.role)) return {};
  return { unit: { memberships: { some: { operatorId: viewer.id } } } };
}

export function unitScope(viewer: Viewer): Prisma.UnitWhereInput {
  if (seesWholeFleet(viewer.role)) return {};
  return { memberships: { some: { operatorId: viewer.id } } };
}

export function backupScope(viewer: Viewer): Prisma.BackupWhereInput {
  if (seesWholeFleet(viewer.role)) return {};
  return { instance: instanceScope(viewer) };
}

/** Audit events a viewer may read: everything, or the events about their units and their units' instances. */
export async function auditScope(
  viewer: Viewer,
  unitIdsOf: (operatorId: string) => Promise<string[]>,
  instanceIdsOf: (unitIds: string[]) => Promise<string[]>,
): Promise<Prisma.AuditEventWhereInput> {
  if (seesWholeFleet(viewer.role)) return {};
  const unitIds = await unitIdsOf(viewer.id);
  const instanceIds = await instanceIdsOf(unitIds);
  return { OR: [{ unitId: { in: unitIds } }, { instanceId: { in: instanceIds } }] };
}
