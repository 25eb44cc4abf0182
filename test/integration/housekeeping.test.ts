import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeChallenge, issueChallenge } from "../../lib/auth/challenges";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { purgeExpired } from "../../lib/server/housekeeping/purge";
import { recordAuditEvent } from "../../lib/server/audit/record-audit-event";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";

const DAY = 24 * 3600_000;

/**
 * The daily housekeeping deletes what can no longer serve and what outlived
 * its retention, at the boundaries the settings name, and nothing else: live
 * sessions, a running operation's log (however old), operations and their
 * steps, and the audit trail all stay.
 */
describe("housekeeping", () => {
  const database = useFreshDatabase("housekeeping", { migrated: true });
  let db: Db;
  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("purges used and expired challenges, ended sessions and finished operations' old logs, at the retention", async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const admin = await operatorWithKey(db, "admin@unit.example");

    // Challenges: one used, one expired, one live.
    const used = await issueChallenge(db, { purpose: "authentication" });
    await consumeChallenge(db, { challenge: used.challenge, purpose: "authentication", binding: used.binding });
    const expired = await issueChallenge(db, { purpose: "authentication" });
    await db.webAuthnChallenge.update({ where: { challenge: expired.challenge }, data: { expiresAt: ago(1) } });
    const live = await issueChallenge(db, { purpose: "registration" });

    // Sessions (with a 30-day retention): ended 31 days ago (expired, or revoked) go; ended 29 days ago, or live, stay.
    const session = (label: string, data: { expiresAt: Date; revokedAt?: Date }) =>
      db.operatorSession.create({
        data: { operatorId: admin.id, tokenHash: randomBytes(32).toString("hex"), userAgent: label, ...data },
      });
    await session("expired 31 days ago", { expiresAt: ago(31) });
    await session("revoked 40 days ago", { expiresAt: ago(-1), revokedAt: ago(40) });
    await session("expired 29 days ago", { expiresAt: ago(29) });
    await session("revoked yesterday", { expiresAt: ago(-1), revokedAt: ago(1) });

    // Operations (log retention 365 days): finished 400 days ago (logs go), 300 days ago (stay), running since 400 days.
    const operation = async (label: string, data: { state: "succeeded" | "running"; finishedAt?: Date }) => {
      const op = await db.operation.create({
        data: {
          kind: "backup",
          params: { label },
          createdAt: ago(401),
          startedAt: ago(400),
          ...data,
          steps: { create: [{ position: 0, key: "prepare", state: "succeeded", intent: { title: "Prepare" } }] },
        },
      });
      await db.operationLog.createMany({
        data: Array.from({ length: 3 }, (_, i) => ({ operationId: op.id, message: `${label} ${i}`, at: ago(400) })),
      });
      return op.id;
    };
    const old = await operation("old", { state: "succeeded", finishedAt: ago(400) });
    const recent = await operation("recent", { state: "succeeded", finishedAt: ago(300) });
    const running = await operation("running", { state: "running" });

    await recordAuditEvent(db, {
      actor: { type: "system", label: "test" },
      action: "settings.update",
      outcome: "success",
    });
    const auditBefore = await db.auditEvent.count();

    const purged = await purgeExpired(db, { sessionDays: 30, operationLogDays: 365 }, now);
    expect(purged).toEqual({ challenges: 2, sessions: 2, operationLogLines: 3 });

    expect((await db.webAuthnChallenge.findMany()).map((c) => c.challenge)).toEqual([live.challenge]);
    const kept = await db.operatorSession.findMany({
      where: { userAgent: { not: null } },
      orderBy: { userAgent: "asc" },
    });
    expect(kept.map((s) => s.userAgent)).toEqual(["expired 29 days ago", "revoked yesterday"]);
    // The live session operatorWithKey opened stays too.
    expect(await db.operatorSession.count({ where: { id: admin.sessionId } })).toBe(1);
    const logs = async (operationId: string) => db.operationLog.count({ where: { operationId } });
    expect([await logs(old), await logs(recent), await logs(running)]).toEqual([0, 3, 3]);
    // The history stays: every operation, its steps, the audit trail.
    expect(await db.operation.count()).toBe(3);
    expect(await db.operationStep.count({ where: { operationId: old } })).toBe(1);
    expect(await db.auditEvent.count()).toBe(auditBefore);

    // A second run finds nothing more to do.
    expect(await purgeExpired(db, { sessionDays: 30, operationLogDays: 365 }, now)).toEqual({
      challenges: 0,
      sessions: 0,
      operationLogLines: 0,
    });
  });
});
