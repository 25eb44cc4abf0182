import path from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { migrate } from "../../lib/server/db/migrate";
import { createTestDatabase, dropTestDatabase } from "./test-database";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "..", "..", "prisma", "migrations");

/**
 * A fresh database for the calling test file, dropped after it. With
 * `migrated`, every migration is applied first. Read `.url` inside tests.
 */
export function useFreshDatabase(label: string, options: { migrated?: boolean } = {}) {
  const handle = { url: "" };
  const server = { adminUrl: inject("pgAdminUrl") };
  beforeAll(async () => {
    handle.url = await createTestDatabase(server, label);
    if (options.migrated) await migrate(handle.url, MIGRATIONS_DIR);
  });
  afterAll(async () => {
    if (handle.url) await dropTestDatabase(server, handle.url);
  });
  return handle;
}
