import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAuditEvent } from "../../lib/server/audit/record-audit-event";
import { verifyAuditChain } from "../../lib/server/audit/verify-audit-chain";
import { keyRing } from "../../lib/server/secrets";
import { GENESIS_HASH } from "../../lib/server/audit/audit-chain";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";
import { createUnit } from "../../lib/server/units/manage-units";
import { runAuditVerify } from "../support/panel-cli";

describe("audit trail", () => {
  const database = useFreshDatabase("audit", { migrated: true });
  let db: Db;

  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  async function sql(text: string) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** The command as an admin runs it: settings from the environment, or (`envFile`) from the panel's settings file only. */
  function verifyCli(envFile?: string): { code: number; output: string } {
    const { DATABASE_URL: _unset, ...inherited } = process.env;
    void _unset;
    return runAuditVerify(
      envFile ? { ...inherited, PANEL_ENV_FILE: envFile } : { ...inherited, DATABASE_URL: database.url },
    );
  }

  it("chains events written concurrently into one line, secrets removed", async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        recordAuditEvent(db, {
          actor: { type: "operator", operatorId: "op-1", label: "a@unit.example" },
          ip: "10.8.0.2",
          action: "host.test",
          target: { type: "host", id: `h${i}` },
          params: { attempt: i, sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" },
          outcome: i % 3 === 0 ? "failure" : "success",
          reason: i % 3 === 0 ? "connection_refused" : null,
        }),
      ),
    );
    await recordAuditEvent(db, { actor: { type: "system" }, action: "backup.schedule", outcome: "success" });
    const events = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    expect(events).toHaveLength(9);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(JSON.stringify(events.map((e) => e.params))).not.toContain("BEGIN OPENSSH");
    expect(events[0]!.params).toMatchObject({ sshPrivateKey: "[redacted]" });
    expect(events[8]!.actorLabel).toBe("system");
    expect(await verifyAuditChain(db, keyRing())).toEqual({ intact: true, events: 9 });
    const cli = verifyCli();
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.output).toContain("Audit trail intact: 9 event(s)");
    // No variable at all: the same settings file as `npm start` names the database.
    const dir = mkdtempSync(path.join(tmpdir(), "panel-env-"));
    const envFile = path.join(dir, ".env");
    writeFileSync(envFile, `# the panel's settings\nDATABASE_URL="${database.url}"\n`, { mode: 0o600 });
    expect(verifyCli(envFile)).toMatchObject({
      code: 0,
      output: expect.stringContaining("Audit trail intact: 9 event(s)"),
    });
    const missing = verifyCli(path.join(dir, "nowhere.env"));
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain("nowhere.env, which does not exist");
  });

  it("the database refuses to change, delete or truncate events", async () => {
    await expect(sql(`UPDATE "AuditEvent" SET outcome = 'success'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(sql(`DELETE FROM "AuditEvent"`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(sql(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(db.auditEvent.deleteMany({})).rejects.toThrow();
    expect(await db.auditEvent.count()).toBe(9);
  });

  it("an edit made behind the database's back is caught, and named", async () => {
    const third = (await db.auditEvent.findMany({ orderBy: { id: "asc" }, take: 3 }))[2]!;
    // A superuser can bypass the triggers; the chain still tells.
    await sql(
      `SET session_replication_role = replica; UPDATE "AuditEvent" SET action = 'host.tampered' WHERE id = ${third.id}`,
    );
    expect(await verifyAuditChain(db, keyRing())).toMatchObject({
      intact: false,
      brokenAt: third.id,
      reason: expect.stringMatching(/content does not match/),
    });
    const cli = verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`Audit trail BROKEN at event #${third.id}`);
  });

  it("a removed event is caught at the next one", async () => {
    const events = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    const [, , third, fourth, fifth] = events;
    expect(third!.action).toBe("host.tampered");
    // Undo the previous edit, then remove the fourth event.
    await sql(
      `SET session_replication_role = replica;
       UPDATE "AuditEvent" SET action = 'host.test' WHERE id = ${third!.id};
       DELETE FROM "AuditEvent" WHERE id = ${fourth!.id}`,
    );
    expect(await verifyAuditChain(db, keyRing())).toMatchObject({
      intact: false,
      brokenAt: fifth!.id,
      reason: expect.stringMatching(/link to the previous event/),
    });
  });

  it("a change and its audit event are written together or not at all", async () => {
    const actor = { id: "00000000-0000-4000-8000-0000000000aa", email: "ops@unit.example", securityKeyId: null };
    const context = { ip: "10.0.0.7", userAgent: "test" };
    // The trail refuses this one event (as a full disk or a lost connection would, at that moment).
    await sql(`ALTER TABLE "AuditEvent" ADD CONSTRAINT no_unit_events CHECK (action <> 'unit.create') NOT VALID`);
    try {
      await expect(createUnit(db, actor, { code: "UMR0001", name: "Lost unit" }, context)).rejects.toThrow();
      expect(await db.unit.count({ where: { code: "UMR0001" } })).toBe(0);
    } finally {
      await sql(`ALTER TABLE "AuditEvent" DROP CONSTRAINT no_unit_events`);
    }
    const unit = await createUnit(db, actor, { code: "UMR0001", name: "Kept unit" }, context);
    const events = await db.auditEvent.findMany({ where: { action: "unit.create", targetId: unit.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operatorId: actor.id, ip: "10.0.0.7", outcome: "success" });
  });
});
