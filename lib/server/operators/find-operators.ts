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
      _count: { select: { keys: { where: { revokedAt: null } } } },
    },
  });
}
