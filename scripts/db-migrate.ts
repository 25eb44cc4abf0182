/** `npm run db:migrate`: apply pending migrations to DATABASE_URL. */
import path from "node:path";
import { ConfigError, parseEnv } from "../lib/env";
import { loadEnvFile } from "../lib/env-file";
import { migrate, MigrationError } from "../lib/server/db/migrate";

try {
  // The same settings file as `npm start`: the same database, data directory and keys.
  loadEnvFile(path.resolve(import.meta.dirname, ".."), (line) => console.error(line));
  const env = parseEnv();
  if (!env.DATABASE_URL) {
    throw new ConfigError(
      "Configuration error: DATABASE_URL is not set. `npm start` migrates its embedded database by itself; set DATABASE_URL to migrate another one.",
    );
  }
  const dir = path.resolve(import.meta.dirname, "..", "prisma", "migrations");
  const { applied, alreadyApplied } = await migrate(env.DATABASE_URL, dir, (line) => console.log(line));
  console.log(`${applied.length} migration(s) applied, ${alreadyApplied.length} already in place.`);
} catch (error) {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
