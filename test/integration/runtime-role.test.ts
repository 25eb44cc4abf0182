import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignInLimiter } from "../../lib/auth/rate-limit";
import { recordAuditEvent } from "../../lib/server/audit/record-audit-event";
import { recordRefusal } from "../../lib/server/audit/record-refusal";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { ensureRuntimeRole, grantRuntimeRole, runtimeUrl } from "../../lib/server/db/runtime-role";
import { useFreshDatabase } from "../support/fresh-database";

/**
 * The panel runs as a role that can add to the audit trail and nothing more, whatever it tries; the owner runs
 * the migrations. (The embedded PostgreSQL of `npm start` sets this up the same way; the start check in CI runs
 * the panel on it.)
 */
describe("the panel's runtime database role", () => {
  const database = useFreshDatabase("runtime_role", { migrated: true });
  const role = {
    name: `paillasse_app_${randomBytes(3).toString("hex")}`,
    password: randomBytes(18).toString("base64url"),
  };
  let url: string;
  let db: Db;
  beforeAll(async () => {
    await ensureRuntimeRole(database.url, role);
    // Twice: at every start, after the migrations; nothing changes the second time.
    await ensureRuntimeRole(database.url, role);
    url = runtimeUrl(database.url, role);
    db = createPrismaClient(url);
    const owner = createPrismaClient(database.url);
    await recordAuditEvent(owner, { actor: { type: "system" }, action: "test.owner_event", outcome: "success" });
    await owner.$disconnect();
  });
  afterAll(async () => {
    await db?.$disconnect();
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    await owner.query(`DROP OWNED BY ${pg.escapeIdentifier(role.name)}`);
    await owner.query(`DROP ROLE ${pg.escapeIdentifier(role.name)}`);
    await owner.end();
  });

  async function asRuntime(sql: string): Promise<string> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
      return "done";
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end();
    }
  }

  it("adds to the audit trail and does the panel's work", async () => {
    await recordAuditEvent(db, { actor: { type: "system" }, action: "test.runtime_event", outcome: "success" });
    await recordRefusal(db, {
      actor: { type: "anonymous" },
      ip: "10.3.3.3",
      action: "auth.sign_in",
      outcome: "denied",
      reason: "x",
    });
    const unit = await db.unit.create({
      data: { id: randomUUID(), code: "UMR9999", name: "Runtime", alertEmails: [] },
    });
    await db.unit.update({ where: { id: unit.id }, data: { name: "Renamed" } });
    await db.unit.delete({ where: { id: unit.id } });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const limiter = new SignInLimiter(
        { pool },
        { perAddress: 1, perCredential: 5, windowSeconds: 60, blockSeconds: 60 },
      );
      await limiter.failed("10.3.3.4", "cred");
      expect(await limiter.retryAfter("10.3.3.4", null)).toBeGreaterThan(0);
      await limiter.succeeded("cred");
    } finally {
      await pool.end();
    }
    expect(await db.auditEvent.count()).toBe(3);
  });

  it("cannot change, remove or truncate audit events, even trying to switch the triggers off", async () => {
    const attempts = {
      update: await asRuntime(`UPDATE "AuditEvent" SET action = 'rewritten'`),
      delete: await asRuntime(`DELETE FROM "AuditEvent"`),
      truncate: await asRuntime(`TRUNCATE "AuditEvent"`),
      disableTriggers: await asRuntime(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`),
      replicationRole: await asRuntime(`SET session_replication_role = replica`),
      replicaThenUpdate: await asRuntime(
        `SET session_replication_role = replica; UPDATE "AuditEvent" SET action = 'rewritten'`,
      ),
      dropTrigger: await asRuntime(`DROP TRIGGER "AuditEvent_append_only" ON "AuditEvent"`),
      replaceFunction: await asRuntime(
        `CREATE OR REPLACE FUNCTION "audit_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      ),
      grantSelfThenUpdate: await asRuntime(
        `GRANT UPDATE ON "AuditEvent" TO CURRENT_USER; UPDATE "AuditEvent" SET action = 'rewritten'`,
      ),
      newTable: await asRuntime(`CREATE TABLE "Mine" (x int)`),
    };
    expect(attempts).toEqual({
      update: expect.stringMatching(/permission denied/),
      delete: expect.stringMatching(/permission denied/),
      truncate: expect.stringMatching(/permission denied/),
      disableTriggers: expect.stringMatching(/must be owner/),
      replicationRole: expect.stringMatching(/permission denied/),
      replicaThenUpdate: expect.stringMatching(/permission denied/),
      dropTrigger: expect.stringMatching(/must be owner/),
      replaceFunction: expect.stringMatching(/must be owner|permission denied/),
      grantSelfThenUpdate: expect.stringMatching(/permission denied/),
      newTable: expect.stringMatching(/permission denied/),
    });
    const actions = (await db.auditEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["test.owner_event", "test.runtime_event", "auth.sign_in"]);
  });

  it("is refused as the runtime role when it is a superuser or the owner itself", async () => {
    await expect(grantRuntimeRole(database.url, "postgres")).rejects.toThrow(/superuser|owner/);
  });
});
