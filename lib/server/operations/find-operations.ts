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

/** One operation with its journal (steps in order) and its log. */
export async function findOperation(db: Db, id: string) {
  return db.operation.findUnique({
    where: { id },
    include: {
      instance: { select: { id: true, name: true } },
      host: { select: { id: true, name: true } },
      requestedBy: { select: { email: true } },
      steps: { orderBy: { position: "asc" } },
      logs: { orderBy: { id: "asc" }, take: 2000 },
    },
  });
}
