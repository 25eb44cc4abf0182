import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { checksumOf, migrate, readMigrations } from "../../lib/server/db/migrate";
import { MIGRATIONS_DIR, useFreshDatabase } from "../support/fresh-database";

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "paillasse-migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe("migration runner", () => {
  const database = useFreshDatabase("migrate");

  it("applies every migration once and records it as Prisma does", async () => {
    const files = await readMigrations(MIGRATIONS_DIR);
    const first = await migrate(database.url, MIGRATIONS_DIR);
    expect(first.applied).toEqual(files.map((f) => f.name));

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
      id: string;
    }>(
      database.url,
      `SELECT id, migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"), "utf8");
      expect(row.checksum).toBe(checksumOf(sql));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(files[i]!.checksum).toBe(row.checksum);
    }

    // Prisma's own table layout, column for column.
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string }>(
      database.url,
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`)).toEqual([
      "id character varying NO",
      "checksum character varying NO",
      "finished_at timestamp with time zone YES",
      "migration_name character varying NO",
      "logs text YES",
      "rolled_back_at timestamp with time zone YES",
      "started_at timestamp with time zone NO",
      "applied_steps_count integer NO",
    ]);

    const second = await migrate(database.url, MIGRATIONS_DIR);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(files.map((f) => f.name));
  });

  it("refuses a migration edited after it was applied, and changes nothing", async () => {
    const dir = copyOfMigrations();
    const [first] = await readMigrations(dir);
    const file = path.join(dir, first!.name, "migration.sql");
    writeFileSync(file, readFileSync(file, "utf8") + "\n-- edited afterwards\n");
    mkdirSync(path.join(dir, "29991231000000_later"));
    writeFileSync(path.join(dir, "29991231000000_later", "migration.sql"), 'CREATE TABLE "ShouldNotExist" (id int);');

    await expect(migrate(database.url, dir)).rejects.toThrow(
      new RegExp(`Migration ${first!.name} was modified after it was applied.*Restore the original file`),
    );
    const tables = await query(
      database.url,
      `SELECT 1 FROM information_schema.tables WHERE table_name = 'ShouldNotExist'`,
    );
    expect(tables).toHaveLength(0);
  });

  it("rolls a failing migration back entirely and records nothing of it", async () => {
    const dir = copyOfMigrations();
    mkdirSync(path.join(dir, "29991231000000_broken"));
    writeFileSync(
      path.join(dir, "29991231000000_broken", "migration.sql"),
      'CREATE TABLE "HalfDone" (id int);\nALTER TABLE "NoSuchTable" ADD COLUMN x int;',
    );
    await expect(migrate(database.url, dir)).rejects.toThrow(/29991231000000_broken failed and was rolled back/);
    expect(
      await query(database.url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'HalfDone'`),
    ).toHaveLength(0);
    expect(
      await query(database.url, `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`),
    ).toHaveLength(0);
  });

  it("refuses a database that has a migration this copy of the panel does not know", async () => {
    const dir = copyOfMigrations();
    mkdirSync(path.join(dir, "29991231000000_future"));
    writeFileSync(path.join(dir, "29991231000000_future", "migration.sql"), 'CREATE TABLE "Future" (id int);');
    await migrate(database.url, dir);
    await expect(migrate(database.url, MIGRATIONS_DIR)).rejects.toThrow(/29991231000000_future is recorded.*missing/);
  });
});
