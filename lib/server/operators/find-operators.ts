import type { Db } from "../db/client";

export async function findOperators(db: Db) {
  return db.operator.findMany({
    orderBy: { email: "asc" },
    select: {
      id: true,
      email: true,
      displayName: true,
      role: true,
      expiresAt: true,
      disabledAt: true,
      lastLoginAt: true,
      memberships: { select: { unit: { select: { code: true } } }, orderBy: { unit: { code: "asc" } } },
      _count: { select: { keys: { where: { revokedAt: null } } } },
    },
  });
}

/** One operator with their keys (revoked ones too: history stays), units and live sessions. */
export async function findOperator(db: Db, id: string, now: Date) {
  return db.operator.findUnique({
    where: { id },
    select: {
      id: true,
      email: true,
      displayName: true,
      role: true,
      expiresAt: true,
      disabledAt: true,
      lastLoginAt: true,
      createdAt: true,
      memberships: { select: { unitId: true } },
      keys: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          name: true,
          aaguid: true,
          modelName: true,
          createdAt: true,
          lastUsedAt: true,
          revokedAt: true,
          suspendedAt: true,
          suspendedReason: true,
        },
      },
      sessions: {
        where: { revokedAt: null, expiresAt: { gt: now } },
        orderBy: { lastSeenAt: "desc" },
        select: { id: true, ip: true, userAgent: true, createdAt: true, lastSeenAt: true },
      },
      invites: {
        where: { usedAt: null, revokedAt: null, expiresAt: { gt: now } },
        select: { expiresAt: true },
      },
    },
  });
}

/** The keys of one operator, for My keys. */
export async function findOwnKeys(db: Db, operatorId: string) {
  return db.securityKey.findMany({
    where: { operatorId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      aaguid: true,
      modelName: true,
      attestationFormat: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      suspendedAt: true,
      suspendedReason: true,
    },
  });
}

export async function countActiveKeys(db: Db, operatorId: string) {
  return db.securityKey.count({ where: { operatorId, revokedAt: null, suspendedAt: null } });
}
