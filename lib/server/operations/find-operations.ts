import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client";
import type { Db } from "../db/client";
import { seesWholeFleet } from "../../auth/permissions";
import { instanceScope, type Viewer } from "../scope";

/** Operations a viewer may read: all of them, or (correspondants) those of their units' instances. */
function operationScope(viewer: Viewer): Prisma.OperationWhereInput {
  return seesWholeFleet(viewer.role) ? {} : { instance: instanceScope(viewer) };
}

export const OPERATION_KINDS = [
  "deploy",
  "upgrade",
  "database_upgrade",
  "backup",
  "restore",
  "verify",
  "recover",
] as const;
export const OPERATION_STATES = ["queued", "running", "rolling_back", "succeeded", "failed", "rolled_back"] as const;

/** The list's filters, from the URL; anything else is ignored rather than an error page. */
export const operationFilterSchema = z.object({
  kind: z.enum(OPERATION_KINDS).optional().catch(undefined),
  state: z.enum(OPERATION_STATES).optional().catch(undefined),
  instance: z.string().trim().max(100).optional().catch(undefined),
});
export type OperationFilter = z.infer<typeof operationFilterSchema>;

export async function findRecentOperations(db: Db, viewer: Viewer, filter: OperationFilter = {}, take = 100) {
  return db.operation.findMany({
    where: {
      AND: [
        operationScope(viewer),
        filter.kind ? { kind: filter.kind } : {},
        filter.state ? { state: filter.state } : {},
        filter.instance ? { instance: { name: { contains: filter.instance, mode: "insensitive" } } } : {},
      ],
    },
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

/** One operation with its journal (steps in order) and its log, if the viewer may read it. */
export async function findOperation(db: Db, viewer: Viewer, id: string) {
  return db.operation.findFirst({
    where: { AND: [{ id }, operationScope(viewer)] },
    include: {
      instance: { select: { id: true, name: true } },
      host: { select: { id: true, name: true } },
      requestedBy: { select: { email: true } },
      steps: { orderBy: { position: "asc" } },
      logs: { orderBy: { id: "asc" }, take: 2000 },
    },
  });
}
