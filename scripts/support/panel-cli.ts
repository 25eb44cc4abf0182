import path from "node:path";
import type { KeyRing } from "../../lib/crypto";
import { ConfigError, parseEnv, type Env } from "../../lib/env";
import { loadEnvFile } from "../../lib/env-file";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { openPanelDatabase } from "../../lib/server/db/open-panel-database";
import { masterKeyRingOf } from "../../lib/server/secrets";

/**
 * A command-line tool that works on the panel's data, as an admin runs it
 * where the panel runs: the same settings file as `npm start`, the master key
 * (PANEL_SECRET_KEY, its _FILE, or the one `npm start` generated), and the
 * panel's database (DATABASE_URL, else the embedded PostgreSQL of the data
 * directory). `body` returns the exit code; a configuration error is one line
 * and exit 1.
 */
export async function withPanel(
  whyTheKey: string,
  body: (panel: { env: Env; ring: KeyRing; db: Db }) => Promise<number>,
): Promise<never> {
  try {
    loadEnvFile(path.resolve(import.meta.dirname, "..", ".."), (line) => console.error(line));
    const env = parseEnv();
    const ring = masterKeyRingOf(env);
    if (!ring) {
      console.error(
        `The master key was not found (PANEL_SECRET_KEY, PANEL_SECRET_KEY_FILE or master.key in the data directory): ${whyTheKey} Run this where the panel runs, with its settings.`,
      );
      process.exit(1);
    }
    const database = await openPanelDatabase(env);
    const db = createPrismaClient(database.url);
    let code: number;
    try {
      code = await body({ env, ring, db });
    } finally {
      await db.$disconnect();
      await database.close();
    }
    // Explicitly: the embedded PostgreSQL's exit hooks would otherwise end the process with 0.
    process.exit(code);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
