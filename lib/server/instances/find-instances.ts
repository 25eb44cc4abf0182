import type { Db } from "../db/client";

export async function findInstances(db: Db) {
  return db.instance.findMany({
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
