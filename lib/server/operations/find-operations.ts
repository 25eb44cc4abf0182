import type { Db } from "../db/client";

export async function findRecentOperations(db: Db, take = 50) {
  return db.operation.findMany({
    orderBy: { createdAt: "desc" },
    take,
    select: {
      id: true,
      kind: true,
      state: true,
      currentStep: true,
      createdAt: true,
      finishedAt: true,
      instance: { select: { name: true } },
      requestedBy: { select: { email: true } },
    },
  });
}
