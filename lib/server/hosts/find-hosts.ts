import type { Db } from "../db/client";

export async function findHosts(db: Db) {
  return db.dockerHost.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      kind: true,
      address: true,
      port: true,
      reachability: true,
      lastSnapshotAt: true,
      lastSnapshotError: true,
      engineVersion: true,
      _count: { select: { webInstances: true } },
    },
  });
}
