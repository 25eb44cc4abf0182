import type { Db } from "../db/client";

export async function findRecentAuditEvents(db: Db, take = 100) {
  return db.auditEvent.findMany({
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
