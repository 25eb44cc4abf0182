import "server-only";
import { createPrismaClient, type Db } from "./client";

/**
 * The one Prisma client of the web process. Secret columns are omitted from
 * every default result (see SECRET_FIELDS); a server path that needs one
 * selects it explicitly with `omit: { field: false }`.
 */
const globalForDb = globalThis as unknown as { paillasseDb?: Db };

export function db(): Db {
  globalForDb.paillasseDb ??= createPrismaClient();
  return globalForDb.paillasseDb;
}
