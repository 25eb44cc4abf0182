import type { Db } from "../db/client";
import { backupScope, type Viewer } from "../scope";

/** The most recent restore points across the part of the fleet the viewer sees. */
export async function findRecentBackups(db: Db, viewer: Viewer, take = 50) {
  return db.backup.findMany({
    where: backupScope(viewer),
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
