import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH, hashEvent, type ChainedContent } from "../../lib/server/audit/audit-chain";
import { recordAuditEvent } from "../../lib/server/audit/record-audit-event";
import { sealUnkeyedTrail, verifyAuditChain } from "../../lib/server/audit/verify-audit-chain";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { keyRing } from "../../lib/server/secrets";
import { useFreshDatabase } from "../support/fresh-database";
import { runAuditVerify } from "../support/panel-cli";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/**
 * Someone with write access to the database (a superuser, triggers off) rewrites events and recomputes the
 * chain as the code would, but without the master key: `audit:verify` catches it every way they try.
 */
describe("keyed audit chain", () => {
  const database = useFreshDatabase("audit_keyed", { migrated: true });
  let db: Db;
  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  async function asSuperuser(run: (client: pg.Client) => Promise<void>) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("BEGIN; SET LOCAL session_replication_role = replica");
      await run(client);
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
  }

  /** Rewrite every event from `fromId` on: `edit` the content, then recompute each hash and link without the key. */
  async function forge(fromId: bigint, edit: (c: ChainedContent, id: bigint) => ChainedContent) {
    const events = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    let prev = GENESIS_HASH;
    await asSuperuser(async (client) => {
      for (const event of events) {
        const { id, hash, ...stored } = event;
        if (id < fromId) {
          prev = hash;
          continue;
        }
        const content = edit({ ...stored, prevHash: prev }, id);
        const forged = hashEvent(content, null === content.chainKeyId ? null : Buffer.alloc(32));
        await client.query(
          `UPDATE "AuditEvent" SET action = $2, "prevHash" = $3, hash = $4, "chainKeyId" = $5 WHERE id = $1`,
          [id, content.action, content.prevHash, forged, content.chainKeyId],
        );
        prev = forged;
      }
    });
  }

  const verifyCli = () => runAuditVerify({ ...process.env, DATABASE_URL: database.url });

  it("events are written keyed, with the master key's id", async () => {
    for (let i = 0; i < 5; i++) {
      await recordAuditEvent(db, { actor: { type: "system" }, action: `test.event_${i}`, outcome: "success" });
    }
    const events = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(new Set(events.map((e) => e.chainKeyId))).toEqual(new Set([keyRing().current.id]));
    expect(await verifyAuditChain(db, keyRing())).toEqual({ intact: true, events: 5 });
  });

  it("an edit with the chain recomputed under a guessed key is caught at the edited event", async () => {
    const third = (await db.auditEvent.findMany({ orderBy: { id: "asc" } }))[2]!;
    await forge(third.id, (c, id) => (id === third.id ? { ...c, action: "test.rewritten" } : c));
    expect(await verifyAuditChain(db, keyRing())).toMatchObject({
      intact: false,
      brokenAt: third.id,
      reason: expect.stringMatching(/keyed hash/),
    });
    const cli = verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`Audit trail BROKEN at event #${third.id}`);
  });

  it("an edit with the whole chain recomputed as plain SHA-256 is refused: nothing keyed is left", async () => {
    const first = (await db.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" } })).id;
    await forge(first, (c) => ({ ...c, chainKeyId: null }));
    // Each plain link holds on its own, exactly as the code of the unkeyed era would compute it…
    const verdict = await verifyAuditChain(db, keyRing());
    // …but a trail with no keyed event is not a verified one.
    expect(verdict).toMatchObject({
      intact: false,
      brokenAt: null,
      reason: expect.stringMatching(/no event is keyed/),
    });
    const cli = verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.output).toContain("Audit trail NOT VERIFIED");
  });

  it("events from before the keyed chain are sealed at start, and rewriting them afterwards is caught", async () => {
    // The trail is now all plain (the previous test): as after an upgrade from a version without the keyed chain.
    expect(await sealUnkeyedTrail(db)).toBe(5);
    expect(await sealUnkeyedTrail(db)).toBe(0);
    expect(await verifyAuditChain(db, keyRing())).toEqual({ intact: true, events: 6 });
    const seal = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(seal).toMatchObject({ action: "audit.chain_keyed", chainKeyId: keyRing().current.id });
    // Rewriting an old plain event and its plain successors cannot reach past the keyed seal.
    const second = (await db.auditEvent.findMany({ orderBy: { id: "asc" } }))[1]!;
    const plainOnly = second.id;
    const events = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    let prev = events[0]!.hash;
    await asSuperuser(async (client) => {
      for (const event of events.slice(1, 5)) {
        const { id: _id, hash: _hash, ...stored } = event;
        void _id;
        void _hash;
        const content = {
          ...stored,
          prevHash: prev,
          action: event.id === plainOnly ? "test.rewritten" : stored.action,
        };
        const forged = hashEvent(content, null);
        await client.query(`UPDATE "AuditEvent" SET action = $2, "prevHash" = $3, hash = $4 WHERE id = $1`, [
          event.id,
          content.action,
          content.prevHash,
          forged,
        ]);
        prev = forged;
      }
    });
    expect(await verifyAuditChain(db, keyRing())).toMatchObject({
      intact: false,
      brokenAt: seal.id,
      reason: expect.stringMatching(/link to the previous event/),
    });
  });

  it("without the master key, audit:verify says it cannot check, and why", () => {
    const { PANEL_SECRET_KEY: _k, ...rest } = process.env;
    void _k;
    const { code, output } = runAuditVerify({
      ...rest,
      DATABASE_URL: database.url,
      PANEL_DATA_DIR: path.join(ROOT, "test-results", "no-such-dir"),
    });
    expect(code).toBe(1);
    expect(output).toContain("The master key was not found");
  });
});
