/** `npm run audit:verify`: check the audit trail's hash chain; exit 1 and name the first broken link. */
import path from "node:path";
import { ConfigError, parseEnv } from "../lib/env";
import { loadEnvFile } from "../lib/env-file";
import { createPrismaClient } from "../lib/server/db/client";
import { openPanelDatabase } from "../lib/server/db/open-panel-database";
import { verifyAuditChain } from "../lib/server/audit/verify-audit-chain";
import { masterKeyRingOf } from "../lib/server/secrets";

try {
  // The same settings file as `npm start`: the same database, data directory and keys.
  loadEnvFile(path.resolve(import.meta.dirname, ".."), (line) => console.error(line));
  const env = parseEnv();
  // The chain is keyed with the master key: without it, it cannot be checked (nor forged).
  const ring = masterKeyRingOf(env);
  if (!ring) {
    console.error(
      "The master key was not found (PANEL_SECRET_KEY, PANEL_SECRET_KEY_FILE or master.key in the data directory): the audit chain is keyed with it and cannot be checked without it. Run this where the panel runs, with its settings.",
    );
    process.exit(1);
  }
  // DATABASE_URL, else the embedded PostgreSQL of the data directory (the running one, or started for this check).
  const database = await openPanelDatabase(env);
  const db = createPrismaClient(database.url);
  try {
    const verdict = await verifyAuditChain(db, ring);
    if (verdict.intact) {
      console.log(`Audit trail intact: ${verdict.events} event(s), every link verified.`);
    } else {
      console.error(
        verdict.brokenAt === null
          ? `Audit trail NOT VERIFIED: ${verdict.reason}.`
          : `Audit trail BROKEN at event #${verdict.brokenAt}: ${verdict.reason}.`,
      );
      console.error(
        "Compare with the copy forwarded to syslog to see what changed, and treat the database as compromised.",
      );
      process.exitCode = 1;
    }
  } finally {
    await db.$disconnect();
    await database.close();
  }
  // Explicitly: the embedded PostgreSQL's exit hooks would otherwise end the process with 0.
  process.exit(process.exitCode ?? 0);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
