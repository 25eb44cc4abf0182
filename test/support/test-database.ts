import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../lib/server/db/embedded";
import { freePort } from "./ports";

/**
 * Fresh PostgreSQL databases for test runs: on the machine's server
 * (TEST_PG_ADMIN_URL, default 127.0.0.1:5432 as postgres) when it answers,
 * else on an embedded server started for the run.
 */

const TEST_NAME = /^paillasse_test_[a-z0-9_]+$/;

/** Refuse any database whose name does not mark it as a throw-away test one. */
export function assertTestDatabase(url: string): void {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!TEST_NAME.test(name)) {
    throw new Error(
      `Refusing to run tests against database "${name}": test databases must be named paillasse_test_<something>.`,
    );
  }
}

export interface TestServer {
  /** Connection URL of the maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: string;
  embedded?: EmbeddedDatabase;
}

export async function acquireTestServer(): Promise<TestServer> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return { adminUrl };
  } catch {
    await client.end().catch(() => {});
    const dir = mkdtempSync(path.join(tmpdir(), "paillasse-test-pg-"));
    chmodSync(dir, 0o711); // the embedded server runs as the postgres user when we are root
    const port = await freePort();
    const embedded = await startEmbeddedPostgres({ dir, port, database: "postgres" });
    return { adminUrl: embedded.url, embedded };
  }
}

export async function createTestDatabase(server: TestServer, label = "run"): Promise<string> {
  const name = `paillasse_test_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  assertTestDatabase(url.toString());
  return url.toString();
}

export async function dropTestDatabase(server: TestServer, url: string): Promise<void> {
  assertTestDatabase(url);
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
