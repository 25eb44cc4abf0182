import type { Db } from "../db/client";
import { unitScope, type Viewer } from "../scope";

export async function findUnits(db: Db, viewer: Viewer) {
  return db.unit.findMany({
    where: unitScope(viewer),
    orderBy: { code: "asc" },
    select: { id: true, code: true, name: true },
  });
}
