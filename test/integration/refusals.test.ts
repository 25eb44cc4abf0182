import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushRefusalTallies, recordRefusal } from "../../lib/server/audit/record-refusal";
import { verifyAuditChain } from "../../lib/server/audit/verify-audit-chain";
import { keyRing } from "../../lib/server/secrets";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";

/** Refused attempts: every one counted, a flood written as one event per source and minute with its count. */
describe("refusals in the audit trail", () => {
  const database = useFreshDatabase("refusals", { migrated: true });
  let db: Db;
  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  const refusal = (ip: string, reason = "verification_failed") => ({
    actor: { type: "anonymous" as const },
    ip,
    userAgent: "scanner/1.0",
    action: "auth.sign_in",
    outcome: "denied" as const,
    reason,
  });

  it("writes the first refusal at once and a flood of 200 (concurrent) as one more event with its count", async () => {
    const minute = new Date("2026-12-05T10:00:00.000Z");
    const at = (ms: number) => new Date(minute.getTime() + ms);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => recordRefusal(db, refusal("10.20.0.1"), at(100 + i * 200))),
    );
    expect(outcomes.filter((o) => o === "recorded")).toHaveLength(1);
    // Another source in the same minute has its own first event.
    expect(await recordRefusal(db, refusal("10.20.0.2"), at(30_000))).toBe("recorded");
    // Another reason from the same source too.
    expect(await recordRefusal(db, refusal("10.20.0.1", "challenge_invalid"), at(31_000))).toBe("recorded");
    const during = await db.auditEvent.findMany({ where: { action: "auth.sign_in" }, orderBy: { id: "asc" } });
    expect(during.map((e) => [e.ip, e.reason, e.params])).toEqual([
      ["10.20.0.1", "verification_failed", { count: 1 }],
      ["10.20.0.2", "verification_failed", { count: 1 }],
      ["10.20.0.1", "challenge_invalid", { count: 1 }],
    ]);

    // Not before the minute is over.
    expect(await flushRefusalTallies(db, at(59_999))).toBe(0);
    expect(await flushRefusalTallies(db, at(60_000))).toBe(1);
    const aggregated = await db.auditEvent.findFirstOrThrow({
      where: { params: { path: ["aggregated"], equals: true } },
    });
    expect(aggregated).toMatchObject({ ip: "10.20.0.1", reason: "verification_failed", outcome: "denied" });
    expect(aggregated.params).toMatchObject({ count: 199, from: minute.toISOString() });
    expect(await db.refusalTally.count()).toBe(0);
    // Flushing again writes nothing twice.
    expect(await flushRefusalTallies(db, at(120_000))).toBe(0);
    // 1 + 199 + 1 + 1 = every attempt, counted once.
    const total = await db.$queryRaw<{ n: bigint }[]>`
      SELECT SUM(("params"->>'count')::int)::bigint AS n FROM "AuditEvent" WHERE "action" = 'auth.sign_in'`;
    expect(Number(total[0]!.n)).toBe(202);
    expect(await verifyAuditChain(db, keyRing())).toEqual({ intact: true, events: 4 });
  });

  it("the next minute's first refusal writes the previous minute's tally before its own event", async () => {
    const minute = new Date("2026-12-05T11:00:00.000Z");
    for (let i = 0; i < 3; i++) await recordRefusal(db, refusal("10.30.0.1"), new Date(minute.getTime() + i));
    await recordRefusal(db, refusal("10.30.0.1"), new Date(minute.getTime() + 61_000));
    const events = await db.auditEvent.findMany({ where: { ip: "10.30.0.1" }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.params)).toEqual([
      { count: 1 },
      expect.objectContaining({ count: 2, aggregated: true }),
      { count: 1 },
    ]);
  });
});
