/** `npm run audit:verify`: check the audit trail's hash chain; exit 1 and name the first broken link. */
import { verifyAuditChain } from "../lib/server/audit/verify-audit-chain";
import { withPanel } from "./support/panel-cli";

// The chain is keyed with the master key: without it, it cannot be checked (nor forged).
await withPanel("the audit chain is keyed with it and cannot be checked without it.", async ({ db, ring }) => {
  const verdict = await verifyAuditChain(db, ring);
  if (verdict.intact) {
    console.log(`Audit trail intact: ${verdict.events} event(s), every link verified.`);
    return 0;
  }
  console.error(
    verdict.brokenAt === null
      ? `Audit trail NOT VERIFIED: ${verdict.reason}.`
      : `Audit trail BROKEN at event #${verdict.brokenAt}: ${verdict.reason}.`,
  );
  console.error(
    "Compare with the copy forwarded to syslog to see what changed, and treat the database as compromised.",
  );
  return 1;
});
