/** `npm run audit:verify`: check the audit trail's hash chain; exit 1 and name the first broken link. */
import { ConfigError, parseEnv } from "../lib/env";
import { createPrismaClient } from "../lib/server/db/client";
import { verifyAuditChain } from "../lib/server/audit/verify-audit-chain";

try {
  const env = parseEnv();
  if (!env.DATABASE_URL) {
    throw new ConfigError(
      "Configuration error: DATABASE_URL is not set. Point it at the panel's database to verify its audit trail.",
    );
  }
  const db = createPrismaClient(env.DATABASE_URL);
  try {
    const verdict = await verifyAuditChain(db);
    if (verdict.intact) {
      console.log(`Audit trail intact: ${verdict.events} event(s), every link verified.`);
    } else {
      console.error(`Audit trail BROKEN at event #${verdict.brokenAt}: ${verdict.reason}.`);
      console.error(
        "Compare with the copy forwarded to syslog to see what changed, and treat the database as compromised.",
      );
      process.exitCode = 1;
    }
  } finally {
    await db.$disconnect();
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
