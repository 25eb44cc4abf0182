import type { Db } from "../db/client";
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
