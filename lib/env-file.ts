import { existsSync, statSync } from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import { ConfigError } from "./env";

/**
 * The panel's settings file: `.env` at the root of the installation (or the
 * file named by PANEL_ENV_FILE), read by `npm start` and by every command-line
 * tool (operator:invite, audit:verify, db:migrate), so that they all find the
 * same database, data directory and keys without extra variables. A variable
 * already set in the environment wins over the file (dotenv, which parses the
 * format exactly as Docker Compose and systemd users expect).
 */
export function loadEnvFile(root: string, log: (line: string) => void = () => {}): string | null {
  const file = path.resolve(process.env.PANEL_ENV_FILE ?? path.join(root, ".env"));
  if (!existsSync(file)) {
    if (process.env.PANEL_ENV_FILE)
      throw new ConfigError(`Configuration error: PANEL_ENV_FILE names ${file}, which does not exist.`);
    return null;
  }
  const result = dotenv.config({ path: file, quiet: true, override: false });
  if (result.error) throw new ConfigError(`Configuration error: ${file} cannot be read: ${result.error.message}`);
  // It may hold secrets: say so when others can read it (never what it holds).
  if ((statSync(file).mode & 0o077) !== 0) {
    log(`${file} can be read by other users of this machine; it may hold secrets: chmod 600 it.`);
  }
  return file;
}
