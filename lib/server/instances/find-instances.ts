import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { isUuid } from "../ids";
import { instanceScope, type Viewer } from "../scope";

export async function findInstances(db: Db, viewer: Viewer) {
  return db.instance.findMany({
    where: instanceScope(viewer),
    orderBy: [{ unit: { code: "asc" } }, { name: "asc" }],
    select: {
      id: true,
      name: true,
      imageTag: true,
      elabftwVersion: true,
      state: true,
      siteUrl: true,
      unit: { select: { code: true } },
      webHost: { select: { name: true } },
    },
  });
}

/**
 * The instance if this viewer may see it (correspondants: their units only),
 * else "not found" (never "forbidden": that would confirm it exists).
 */
export async function requireVisibleInstance(database: Db, viewer: Viewer, instanceId: string) {
  const instance = isUuid(instanceId)
    ? await database.instance.findFirst({ where: { AND: [{ id: instanceId }, instanceScope(viewer)] } })
    : null;
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  return instance;
}

/** One instance for its page, within the viewer's scope. */
export async function findInstance(db: Db, viewer: Viewer, instanceId: string) {
  if (!isUuid(instanceId)) return null;
  return db.instance.findFirst({
    where: { AND: [{ id: instanceId }, instanceScope(viewer)] },
    include: {
      unit: { select: { code: true, name: true } },
      webHost: { select: { id: true, name: true, reachability: true, lastSnapshotAt: true } },
      databaseHost: { select: { id: true, name: true } },
      backups: {
        where: { status: "succeeded" },
        orderBy: { finishedAt: "desc" },
        take: 1,
        select: { finishedAt: true, verificationStatus: true, totalBytes: true },
      },
    },
  });
}
