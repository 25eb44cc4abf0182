import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../server/db/client";
import { now as clockNow } from "../clock";

/**
 * WebAuthn challenges: random, stored server-side, bound to one browser by
 * an HttpOnly cookie (only its hash is stored), scoped to one purpose, valid
 * five minutes, and consumed before the response is verified, so a challenge
 * can never serve twice, even when the verification fails.
 */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

export type ChallengePurpose = "registration" | "authentication" | "step_up";

export interface IssuedChallenge {
  challenge: string;
  /** The value to put in the HttpOnly binding cookie. */
  binding: string;
  expiresAt: Date;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export async function issueChallenge(
  db: Db,
  input: {
    purpose: ChallengePurpose;
    operatorId?: string;
    inviteId?: string;
    binding?: string;
    /** Step-up: the action and the hash of its parameters this touch may authorise. */
    action?: string;
    paramsHash?: string;
  },
  now = clockNow(),
): Promise<IssuedChallenge> {
  const challenge = randomBytes(32).toString("base64url");
  const binding = input.binding ?? randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  await db.webAuthnChallenge.create({
    data: {
      purpose: input.purpose,
      challenge,
      bindingHash: sha256(binding),
      operatorId: input.operatorId,
      inviteId: input.inviteId,
      action: input.action,
      paramsHash: input.paramsHash,
      expiresAt,
      createdAt: now,
    },
  });
  return { challenge, binding, expiresAt };
}

export interface ConsumedChallenge {
  operatorId: string | null;
  inviteId: string | null;
  action: string | null;
  paramsHash: string | null;
}

/**
 * Take a challenge for verification: succeeds once, for the browser holding
 * the binding, for the same purpose, before expiry. Returns what it was issued
 * for, or null ("unknown, used, expired, wrong purpose or wrong browser": the
 * caller refuses with one generic message).
 */
export async function consumeChallenge(
  db: Db,
  input: { challenge: string; purpose: ChallengePurpose; binding: string | undefined },
  now = clockNow(),
): Promise<ConsumedChallenge | null> {
  if (!input.binding) return null;
  const rows = await db.$queryRaw<ConsumedChallenge[]>`
    UPDATE "WebAuthnChallenge" SET "consumedAt" = ${now}
     WHERE "challenge" = ${input.challenge}
       AND "purpose" = ${input.purpose}::"ChallengePurpose"
       AND "bindingHash" = ${sha256(input.binding)}
       AND "consumedAt" IS NULL
       AND "expiresAt" > ${now}
     RETURNING "operatorId", "inviteId", "action", "paramsHash"`;
  return rows[0] ?? null;
}

/** Remove challenges that can no longer be used (housekeeping). */
export async function purgeChallenges(db: Db, now = clockNow()): Promise<number> {
  const { count } = await db.webAuthnChallenge.deleteMany({
    where: { OR: [{ expiresAt: { lt: now } }, { consumedAt: { not: null } }] },
  });
  return count;
}
