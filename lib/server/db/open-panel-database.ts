import { existsSync, readFileSync } from "node:fs";
import pg from "pg";
import { dataDir, type Env } from "../../env";
import { embeddedPasswordFile, embeddedUrl, startEmbeddedPostgres } from "./embedded";

/**
 * The panel's database for a command-line tool: DATABASE_URL when set, else
 * the embedded PostgreSQL of the data directory: the running one when the
 * panel is up, or one started just for this command and stopped after it.
 */
export async function openPanelDatabase(env: Env): Promise<{ url: string; close: () => Promise<void> }> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, close: async () => {} };
  const dir = dataDir(env);
  const passwordFile = embeddedPasswordFile(dir);
  if (existsSync(passwordFile)) {
    const password = readFileSync(passwordFile, "utf8").trim();
    const url = embeddedUrl(password, env.EMBEDDED_PG_PORT, "paillasse");
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await probe.connect();
      await probe.end();
      return { url, close: async () => {} };
    } catch {
      await probe.end().catch(() => {});
    }
  }
  const embedded = await startEmbeddedPostgres({ dir, port: env.EMBEDDED_PG_PORT, database: "paillasse" });
  return { url: embedded.url, close: () => embedded.stop() };
}
