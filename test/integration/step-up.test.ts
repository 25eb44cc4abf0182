import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHALLENGE_TTL_MS } from "../../lib/auth/challenges";
import { startStepUp, verifyStepUp, type StepUpAction } from "../../lib/auth/step-up";
import { relyingPartyFrom } from "../../lib/auth/webauthn";
import { AppError } from "../../lib/errors";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { newRefusal, refusalTotals } from "../support/refusals";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { assert } from "../support/soft-authenticator";

const rp = relyingPartyFrom("https://paillasse.unit.example");
const here = { origin: rp.origin, rpId: rp.id };
const context = { ip: "10.0.0.7", userAgent: "vitest" };

describe("step-up: a key touch bound to one action and its parameters", () => {
  const database = useFreshDatabase("step_up", { migrated: true });
  let db: Db;
  let alice: Awaited<ReturnType<typeof operatorWithKey>>;
  let bob: Awaited<ReturnType<typeof operatorWithKey>>;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    alice = await operatorWithKey(db, "alice@unit.example");
    bob = await operatorWithKey(db, "bob@unit.example");
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  /** Ask for a touch as `who` for (action, params) and make it with `signer`'s key. */
  async function touch(
    who: typeof alice,
    action: StepUpAction,
    params: unknown,
    signer = who,
    issuedAt?: Date,
  ): Promise<{ response: string; binding: string }> {
    const { options, binding } = await startStepUp(db, rp, who, action, params, issuedAt);
    return { response: JSON.stringify(assert(signer.credential, options.challenge, here)), binding };
  }

  /**
   * Run `attempt` and return the reason of the one refusal it added to the audit trail (an event, or a count
   * in this minute's tally when the same refusal was already written this minute).
   */
  async function reasonOf(attempt: () => Promise<unknown>): Promise<string> {
    const before = await refusalTotals(db, "auth.step_up");
    await expect(attempt()).rejects.toBeInstanceOf(AppError);
    return newRefusal(before, await refusalTotals(db, "auth.step_up"));
  }

  it("authorises exactly the action and parameters it was made for, once", async () => {
    const params = { keyId: "7c4f2a52-4b8f-4f0e-9d55-0d3b1b1c2a10" };
    const t = await touch(alice, "key.revoke", params);
    const before = (await db.operatorSession.findUniqueOrThrow({ where: { id: alice.sessionId } })).lastKeyTouchAt;
    // Key order does not matter: the parameters are compared in canonical form.
    await expect(
      verifyStepUp(db, rp, alice, { action: "key.revoke", params: { ...params }, ...t }, context),
    ).resolves.toEqual({ securityKeyId: alice.keyId });
    const after = (await db.operatorSession.findUniqueOrThrow({ where: { id: alice.sessionId } })).lastKeyTouchAt;
    expect(after.getTime()).toBeGreaterThanOrEqual(before.getTime());
    const ok = await db.auditEvent.findFirstOrThrow({ where: { action: "auth.step_up", outcome: "success" } });
    expect(ok.params).toEqual({ for: "key.revoke" });

    // The same touch again: refused (the challenge is spent).
    expect(await reasonOf(() => verifyStepUp(db, rp, alice, { action: "key.revoke", params, ...t }, context))).toBe(
      "challenge_invalid",
    );
  });

  it("refuses a touch made for another action", async () => {
    const t = await touch(alice, "operator.invite", { email: "x@unit.example", role: "operator" });
    expect(
      await reasonOf(() =>
        verifyStepUp(db, rp, alice, { action: "operator.disable", params: { operatorId: bob.id }, ...t }, context),
      ),
    ).toBe("step_up_other_action");
  });

  it("refuses a touch made for the same action with other parameters", async () => {
    const t = await touch(alice, "operator.disable", { operatorId: alice.id });
    expect(
      await reasonOf(() =>
        verifyStepUp(db, rp, alice, { action: "operator.disable", params: { operatorId: bob.id }, ...t }, context),
      ),
    ).toBe("step_up_other_action");
  });

  it("refuses a touch older than five minutes", async () => {
    const t = await touch(alice, "key.add", {}, alice, new Date(Date.now() - CHALLENGE_TTL_MS - 1000));
    expect(await reasonOf(() => verifyStepUp(db, rp, alice, { action: "key.add", params: {}, ...t }, context))).toBe(
      "challenge_invalid",
    );
  });

  it("refuses a touch asked for by someone else, and someone else's key", async () => {
    const forBob = await touch(bob, "key.add", {});
    expect(
      await reasonOf(() => verifyStepUp(db, rp, alice, { action: "key.add", params: {}, ...forBob }, context)),
    ).toBe("step_up_other_operator");
    const bobsKey = await touch(alice, "key.add", {}, bob);
    expect(
      await reasonOf(() => verifyStepUp(db, rp, alice, { action: "key.add", params: {}, ...bobsKey }, context)),
    ).toBe("step_up_foreign_key");
  });

  it("refuses a touch from another browser, a missing touch and a revoked key", async () => {
    const t = await touch(alice, "key.add", {});
    expect(
      await reasonOf(() =>
        verifyStepUp(db, rp, alice, { action: "key.add", params: {}, response: t.response, binding: "x" }, context),
      ),
    ).toBe("challenge_invalid");
    expect(
      await reasonOf(() =>
        verifyStepUp(
          db,
          rp,
          alice,
          { action: "key.add", params: {}, response: undefined, binding: t.binding },
          context,
        ),
      ),
    ).toBe("step_up_missing");
    const carol = await operatorWithKey(db, "carol@unit.example");
    await db.securityKey.update({ where: { id: carol.keyId }, data: { revokedAt: new Date() } });
    const revoked = await touch(carol, "key.add", {});
    expect(
      await reasonOf(() => verifyStepUp(db, rp, carol, { action: "key.add", params: {}, ...revoked }, context)),
    ).toBe("key_revoked");
  });

  it("offers only the operator's own usable keys", async () => {
    const { options } = await startStepUp(db, rp, alice, "key.add", {});
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([alice.credential.id.toString("base64url")]);
    expect(options.userVerification).toBe("required");
  });
});
