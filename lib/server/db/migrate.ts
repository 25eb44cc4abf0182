import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies prisma/migrations/<name>/migration.sql files in name order and
 * records each in `_prisma_migrations` exactly as Prisma Migrate does (same
 * table, sha256 checksum of the file), so `prisma migrate status` on a machine
 * that has Prisma's schema engine agrees with us.
 *
 * Differences from Prisma, on purpose: each migration runs in one transaction
 * (a failure leaves no half-applied migration and no record), and a migration
 * edited after it was applied stops everything with a clear message instead
 * of a warning.
 */

/** Same key as Prisma Migrate's advisory lock, so the two never run at once. */
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** The migration files of a directory, in the order they apply. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!/^\d{14}_[a-z0-9_]+$/.test(name)) {
      throw new MigrationError(
        `Migration folder "${name}" is not named <14-digit timestamp>_<snake_case_name>; rename it.`,
      );
    }
    const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
    files.push({ name, sql, checksum: checksumOf(sql) });
  }
  return files;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Apply every pending migration of `dir` to the database at `connectionString`. */
export async function migrate(
  connectionString: string,
  dir: string,
  log: (line: string) => void = () => {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at
           FROM "_prisma_migrations" ORDER BY started_at`,
      );
      const live = rows.filter((r) => r.rolled_back_at === null);
      const unfinished = live.find((r) => r.finished_at === null);
      if (unfinished) {
        throw new MigrationError(
          `Migration ${unfinished.migration_name} started earlier and never finished. ` +
            `Check the database by hand, then mark it rolled back in _prisma_migrations before migrating again.`,
        );
      }
      const applied = new Map(live.map((r) => [r.migration_name, r.checksum]));
      const known = new Set(migrations.map((m) => m.name));
      for (const name of applied.keys()) {
        if (!known.has(name)) {
          throw new MigrationError(
            `Migration ${name} is recorded in the database but its folder is missing from prisma/migrations. ` +
              `This panel is older than its database: run the release that created it.`,
          );
        }
      }
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const migration of migrations) {
        const recorded = applied.get(migration.name);
        if (recorded !== undefined) {
          if (recorded !== migration.checksum) {
            throw new MigrationError(
              `Migration ${migration.name} was modified after it was applied ` +
                `(checksum ${migration.checksum.slice(0, 12)}… differs from the recorded ${recorded.slice(0, 12)}…). ` +
                `Restore the original file and put the change in a new migration.`,
            );
          }
          result.alreadyApplied.push(migration.name);
          continue;
        }
        await applyOne(client, migration);
        log(`Applied migration ${migration.name}`);
        result.applied.push(migration.name);
      }
      return result;
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  await client.query("BEGIN");
  try {
    const id = randomUUID();
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [
      id,
    ]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      `Migration ${migration.name} failed and was rolled back, nothing of it was applied: ${reason}`,
      { cause: error },
    );
  }
}
