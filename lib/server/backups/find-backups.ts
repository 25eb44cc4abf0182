import type { Db } from "../db/client";

/** The most recent restore points across the fleet. */
export async function findRecentBackups(db: Db, take = 50) {
  return db.backup.findMany({
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      status: true,
      trigger: true,
      createdAt: true,
      totalBytes: true,
      verificationStatus: true,
      instance: { select: { name: true, unit: { select: { code: true } } } },
    },
  });
}
