import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CeremonyFailure, completeSignIn, GENERIC_SIGN_IN_FAILURE, startSignIn } from "../../lib/auth/ceremonies";
import { SignInLimiter } from "../../lib/auth/rate-limit";
import { relyingPartyFrom } from "../../lib/auth/webauthn";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { assert, newCredential } from "../support/soft-authenticator";

const rp = relyingPartyFrom("https://paillasse.unit.example");
const here = { origin: rp.origin, rpId: rp.id };

describe("sign-in ceremony against the database", () => {
  const database = useFreshDatabase("sign_in", { migrated: true });
  let db: Db;
  let pool: pg.Pool;
  beforeAll(() => {
    db = createPrismaClient(database.url);
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await pool?.end();
  });

  async function attempt(
    op: Awaited<ReturnType<typeof operatorWithKey>>,
    options: { ip?: string; limiter?: SignInLimiter; counter?: number; origin?: string } = {},
  ) {
    const started = await startSignIn(db, rp);
    const response = assert(op.credential, started.options.challenge, {
      ...here,
      origin: options.origin ?? here.origin,
      counter: options.counter,
    });
    return completeSignIn(
      db,
      rp,
      { response, binding: started.binding },
      { ip: options.ip ?? "10.1.1.1", userAgent: "vitest" },
      {},
      undefined,
      options.limiter,
    );
  }

  async function failure(promise: Promise<unknown>): Promise<CeremonyFailure> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(CeremonyFailure);
      return error as CeremonyFailure;
    }
    throw new Error("expected a failure");
  }

  it("signs in, moves the counter forward atomically and records the event", async () => {
    const op = await operatorWithKey(db, "ok@unit.example");
    await expect(attempt(op)).resolves.toEqual({ operatorId: op.id, keyId: op.keyId });
    const key = await db.securityKey.findUniqueOrThrow({ where: { id: op.keyId } });
    expect(key.signCount).toBe(1n);
    expect(key.lastUsedAt).not.toBeNull();
    const event = await db.auditEvent.findFirstOrThrow({ where: { operatorId: op.id, action: "auth.sign_in" } });
    expect(event).toMatchObject({ outcome: "success", securityKeyId: op.keyId, ip: "10.1.1.1" });
  });

  it("shows one generic message whatever the reason, and audits the reason", async () => {
    const op = await operatorWithKey(db, "generic@unit.example");
    const wrongOrigin = await failure(attempt(op, { origin: "https://evil.example" }));
    await db.operator.update({ where: { id: op.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await failure(attempt(op));
    expect(wrongOrigin.publicMessage).toBe(GENERIC_SIGN_IN_FAILURE);
    expect(expired.publicMessage).toBe(GENERIC_SIGN_IN_FAILURE);
    expect([wrongOrigin.reason, expired.reason]).toEqual(["verification_failed", "operator_expired"]);
    const reasons = await db.auditEvent.findMany({
      where: { operatorId: op.id, outcome: "denied" },
      orderBy: { id: "asc" },
    });
    expect(reasons.map((r) => r.reason)).toEqual(["verification_failed", "operator_expired"]);
  });

  it("a forged assertion (right credential id and user handle, another key's signature, counter 0) changes nothing", async () => {
    const victim = await operatorWithKey(db, "victim@unit.example");
    await attempt(victim, { counter: 10 });
    const impostor = { ...newCredential(), id: victim.credential.id, userHandle: victim.credential.userHandle };
    for (const counter of [0, 3]) {
      const started = await startSignIn(db, rp);
      const forged = assert(impostor, started.options.challenge, { ...here, counter });
      const refused = await failure(
        completeSignIn(db, rp, { response: forged, binding: started.binding }, { ip: "10.66.6.6", userAgent: "x" }),
      );
      expect(refused.reason).toBe("verification_failed");
    }
    const key = await db.securityKey.findUniqueOrThrow({ where: { id: victim.keyId } });
    expect(key).toMatchObject({ suspendedAt: null, signCount: 10n });
    expect(await db.auditEvent.count({ where: { action: "key.suspend", targetId: victim.keyId } })).toBe(0);
    const session = await db.operatorSession.findUniqueOrThrow({ where: { id: victim.sessionId } });
    expect(session.revokedAt).toBeNull();
    // The victim signs in as before.
    await expect(attempt(victim, { counter: 11 })).resolves.toMatchObject({ keyId: victim.keyId });
  });

  it("suspends a key whose counter goes backwards, and says so in the audit log", async () => {
    const op = await operatorWithKey(db, "clone@unit.example");
    await attempt(op, { counter: 10 });
    const cloned = await failure(attempt(op, { counter: 3 }));
    expect(cloned.reason).toBe("counter_regression");
    const key = await db.securityKey.findUniqueOrThrow({ where: { id: op.keyId } });
    expect(key.suspendedAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { action: "key.suspend", targetId: op.keyId } })).toBe(1);
    // Suspended: even a good assertion is refused now.
    expect((await failure(attempt(op, { counter: 50 }))).reason).toBe("key_suspended");
  });

  it("rate-limits failures per credential, then refuses even a good assertion until the wait is over", async () => {
    const limiter = new SignInLimiter(
      { pool },
      { perAddress: 100, perCredential: 3, windowSeconds: 60, blockSeconds: 600 },
    );
    const op = await operatorWithKey(db, "limited@unit.example");
    for (let i = 0; i < 3; i++) await failure(attempt(op, { origin: "https://evil.example", limiter }));
    const blocked = await failure(attempt(op, { limiter, ip: "10.9.9.9" }));
    expect(blocked.reason).toBe("rate_limited");
    expect(blocked.publicMessage).toMatch(/Too many failed sign-ins .* Wait 10 min/);
    // Another person's key is not blocked.
    const other = await operatorWithKey(db, "not.limited@unit.example");
    await expect(attempt(other, { limiter, ip: "10.9.9.9" })).resolves.toMatchObject({ operatorId: other.id });
  });

  it("rate-limits failures per address", async () => {
    const limiter = new SignInLimiter(
      { pool },
      { perAddress: 2, perCredential: 100, windowSeconds: 60, blockSeconds: 60 },
    );
    const a = await operatorWithKey(db, "addr.a@unit.example");
    const b = await operatorWithKey(db, "addr.b@unit.example");
    await failure(attempt(a, { origin: "https://evil.example", limiter, ip: "10.7.7.7" }));
    await failure(attempt(b, { origin: "https://evil.example", limiter, ip: "10.7.7.7" }));
    expect((await failure(attempt(a, { limiter, ip: "10.7.7.7" }))).reason).toBe("rate_limited");
    await expect(attempt(a, { limiter, ip: "10.7.7.8" })).resolves.toMatchObject({ operatorId: a.id });
  });

  it("keeps its counts in PostgreSQL: a restarted panel (a new process, its own pool) still refuses", async () => {
    const limits = { perAddress: 100, perCredential: 2, windowSeconds: 60, blockSeconds: 600 };
    const op = await operatorWithKey(db, "restart@unit.example");
    const before = new pg.Pool({ connectionString: database.url, max: 1 });
    const first = new SignInLimiter({ pool: before }, limits);
    for (let i = 0; i < 2; i++) await failure(attempt(op, { origin: "https://evil.example", limiter: first }));
    await before.end();
    // The process is gone; a new one with a fresh pool and a fresh limiter takes over.
    const after = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      const second = new SignInLimiter({ pool: after }, limits);
      expect((await failure(attempt(op, { limiter: second, ip: "10.5.5.5" }))).reason).toBe("rate_limited");
      expect(await second.retryAfter(null, op.credential.id.toString("base64url"))).toBeGreaterThan(500);
    } finally {
      await after.end();
    }
  });

  it("refuses a malformed sign-in body, audits it and counts it toward the address's limit", async () => {
    const limiter = new SignInLimiter(
      { pool },
      { perAddress: 3, perCredential: 100, windowSeconds: 60, blockSeconds: 60 },
    );
    const ip = "10.4.4.4";
    const bodies: unknown[] = [undefined, { rawId: 42 }, { id: "x", rawId: "x", type: "public-key", response: "no" }];
    for (const response of bodies) {
      const refused = await failure(
        completeSignIn(db, rp, { response, binding: undefined }, { ip, userAgent: "fuzz" }, {}, undefined, limiter),
      );
      expect(refused.reason).toBe("malformed_response");
      expect(refused.publicMessage).toBe(GENERIC_SIGN_IN_FAILURE);
    }
    // The first of the minute is an event at once; the others are counted and written when the minute is over.
    const events = await db.auditEvent.findMany({
      where: { ip, action: "auth.sign_in", reason: "malformed_response" },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "denied", actorType: "anonymous" });
    // Three malformed bodies were three failures: the address now waits, even with a good key.
    const op = await operatorWithKey(db, "after.malformed@unit.example");
    expect((await failure(attempt(op, { limiter, ip }))).reason).toBe("rate_limited");
  });
});
