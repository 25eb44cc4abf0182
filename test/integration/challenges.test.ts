import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHALLENGE_TTL_MS, consumeChallenge, issueChallenge, purgeChallenges } from "../../lib/auth/challenges";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";

describe("WebAuthn challenges", () => {
  const database = useFreshDatabase("challenges", { migrated: true });
  let db: Db;
  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("serve once, for the browser that holds the binding, for their purpose", async () => {
    const issued = await issueChallenge(db, { purpose: "authentication" });
    expect(issued.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await db.webAuthnChallenge.findUniqueOrThrow({
      where: { challenge: issued.challenge },
      omit: { bindingHash: false },
    });
    expect(stored.bindingHash).not.toContain(issued.binding); // only a hash is kept

    expect(
      await consumeChallenge(db, { challenge: issued.challenge, purpose: "registration", binding: issued.binding }),
    ).toBeNull();
    expect(
      await consumeChallenge(db, {
        challenge: issued.challenge,
        purpose: "authentication",
        binding: "another-browser",
      }),
    ).toBeNull();
    expect(
      await consumeChallenge(db, { challenge: issued.challenge, purpose: "authentication", binding: undefined }),
    ).toBeNull();
    expect(
      await consumeChallenge(db, { challenge: issued.challenge, purpose: "authentication", binding: issued.binding }),
    ).toEqual({ operatorId: null, inviteId: null, action: null, paramsHash: null });
    // Reused: refused.
    expect(
      await consumeChallenge(db, { challenge: issued.challenge, purpose: "authentication", binding: issued.binding }),
    ).toBeNull();
  });

  it("expire after five minutes", async () => {
    const past = new Date(Date.now() - CHALLENGE_TTL_MS - 1000);
    const issued = await issueChallenge(db, { purpose: "step_up" }, past);
    expect(
      await consumeChallenge(db, { challenge: issued.challenge, purpose: "step_up", binding: issued.binding }),
    ).toBeNull();
    const fresh = await issueChallenge(db, { purpose: "step_up" }, new Date(Date.now() - CHALLENGE_TTL_MS + 5000));
    expect(
      await consumeChallenge(db, { challenge: fresh.challenge, purpose: "step_up", binding: fresh.binding }),
    ).not.toBeNull();
  });

  it("two concurrent attempts: exactly one wins", async () => {
    const issued = await issueChallenge(db, { purpose: "authentication" });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        consumeChallenge(db, { challenge: issued.challenge, purpose: "authentication", binding: issued.binding }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("housekeeping removes used and expired challenges only", async () => {
    const live = await issueChallenge(db, { purpose: "registration" });
    await purgeChallenges(db);
    expect(await db.webAuthnChallenge.count()).toBe(1);
    expect((await db.webAuthnChallenge.findFirstOrThrow()).challenge).toBe(live.challenge);
  });
});
