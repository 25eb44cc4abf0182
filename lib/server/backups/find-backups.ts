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

/** An instance's recent restore points, newest first (the caller has checked the instance is visible). */
export async function findInstanceBackups(db: Db, instanceId: string, take = 10) {
  return db.backup.findMany({
    where: { instanceId },
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      status: true,
      trigger: true,
      createdAt: true,
      finishedAt: true,
      totalBytes: true,
      databaseBytes: true,
      uploadsBytes: true,
      uploadsFileCount: true,
      schemaVersion: true,
      elabftwVersion: true,
      error: true,
      errorText: true,
      verificationStatus: true,
      verifiedAt: true,
      verificationDetails: true,
      operationId: true,
      repository: { select: { name: true } },
      offsiteRepository: { select: { name: true } },
      offsiteCopiedAt: true,
    },
  });
}
