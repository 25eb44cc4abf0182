import type { Db } from "../db/client";
import { auditScope, type Viewer } from "../scope";

export async function findRecentAuditEvents(db: Db, viewer: Viewer, take = 100) {
  const scope = await auditScope(
    viewer,
    async (operatorId) =>
      (await db.unitMembership.findMany({ where: { operatorId }, select: { unitId: true } })).map((m) => m.unitId),
    async (unitIds) =>
      (await db.instance.findMany({ where: { unitId: { in: unitIds } }, select: { id: true } })).map((i) => i.id),
  );
  return db.auditEvent.findMany({
    where: scope,
    orderBy: { id: "desc" },
    take,
    select: {
      id: true,
      at: true,
      actorType: true,
      actorLabel: true,
      ip: true,
      action: true,
      targetType: true,
      targetId: true,
      outcome: true,
    },
  });
}
