import type { RequestContext } from "../kernel";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { recordAuditEvent } from "../server/audit/record-audit-event";
import { recordRefusal } from "../server/audit/record-refusal";
import type { Db } from "../server/db/client";
import { consumeChallenge, issueChallenge } from "./challenges";
import { parseAssertion } from "./response-shape";
import type { SignInLimiter } from "./rate-limit";
import { hashToken } from "./tokens";
import { now as clockNow } from "../clock";
import {
  authenticationOptions,
  registrationOptions,
  verifyAssertion,
  verifyEnrolment,
  WebAuthnRefusal,
  type KeyPolicy,
  type RelyingParty,
} from "./webauthn";

/** The one message a person sees for any failed ceremony; the reason code goes to the audit log. */
export const GENERIC_SIGN_IN_FAILURE =
  "Sign-in failed. Use a security key registered with this panel, enter its PIN, and try again.";
export const INVALID_INVITE =
  "This enrolment link cannot be used: it was already used, has expired (links last 30 minutes) or was replaced. Ask an administrator for a new one.";

export function rateLimitedMessage(seconds: number): string {
  return `Too many failed sign-ins from this address or with this key. Wait ${Math.ceil(seconds / 60)} min, then try again.`;
}

export class CeremonyFailure extends Error {
  constructor(
    readonly publicMessage: string,
    readonly reason: string,
  ) {
    super(publicMessage);
    this.name = "CeremonyFailure";
  }
}

async function usableInvite(db: Db, token: string, now: Date) {
  const invite = await db.enrolmentInvite.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { operator: true },
  });
  if (!invite || invite.usedAt || invite.revokedAt || invite.expiresAt <= now) return null;
  if (invite.operator.disabledAt || invite.operator.expiresAt <= now) return null;
  return invite;
}

/** Step 1 of enrolment: registration options for the operator the link was made for. */
export async function startEnrolment(db: Db, rp: RelyingParty, token: string, now = clockNow()) {
  const invite = await usableInvite(db, token, now);
  if (!invite) throw new CeremonyFailure(INVALID_INVITE, "invite_invalid");
  const keys = await db.securityKey.findMany({
    where: { operatorId: invite.operatorId, revokedAt: null },
    select: { credentialId: true },
  });
  const options = await registrationOptions(
    rp,
    invite.operator,
    keys.map((k) => k.credentialId),
  );
  const issued = await issueChallenge(
    db,
    { purpose: "registration", operatorId: invite.operatorId, inviteId: invite.id },
    now,
  );
  return { options: { ...options, challenge: issued.challenge }, binding: issued.binding };
}

/**
 * Step 2: the invite is consumed first (single use, also when what follows
 * fails), then the challenge, then the key is verified against the policy and
 * stored. Returns the operator and the new key.
 */
export async function completeEnrolment(
  db: Db,
  rp: RelyingParty,
  input: { token: string; keyName: string; response: RegistrationResponseJSON; binding: string | undefined },
  context: RequestContext,
  policy: KeyPolicy = {},
  now = clockNow(),
): Promise<{ operatorId: string; keyId: string }> {
  const used = await db.enrolmentInvite.updateManyAndReturn({
    where: { tokenHash: hashToken(input.token), usedAt: null, revokedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
    select: { id: true, operatorId: true, operator: { select: { email: true, disabledAt: true, expiresAt: true } } },
  });
  const invite = used[0];
  if (!invite || invite.operator.disabledAt || invite.operator.expiresAt <= now) {
    await audit(db, context, { action: "key.enrol", outcome: "denied", reason: "invite_invalid" });
    throw new CeremonyFailure(INVALID_INVITE, "invite_invalid");
  }
  const actor = { type: "operator" as const, operatorId: invite.operatorId, label: invite.operator.email };
  const challenge = await consumeChallenge(
    db,
    { challenge: challengeOf(input.response), purpose: "registration", binding: input.binding },
    now,
  );
  if (!challenge || challenge.inviteId !== invite.id) {
    await audit(db, context, { actor, action: "key.enrol", outcome: "denied", reason: "challenge_invalid" });
    throw new CeremonyFailure(INVALID_INVITE, "challenge_invalid");
  }
  const created = await registerKey(db, rp, input, actor, context, policy, now, "key.enrol");
  return { operatorId: invite.operatorId, keyId: created };
}

/**
 * Verify a registration response against the policy and store the new key
 * (shared by enrolment and "add a key"). Throws CeremonyFailure with a
 * message that says what to do; every outcome is audited under `action`.
 */
async function registerKey(
  db: Db,
  rp: RelyingParty,
  input: { keyName: string; response: RegistrationResponseJSON },
  actor: { type: "operator"; operatorId: string; label: string },
  context: RequestContext,
  policy: KeyPolicy,
  now: Date,
  action: "key.enrol" | "key.add",
  retryHint = "Ask an administrator for a new link and try again with your security key and its PIN.",
): Promise<string> {
  let key;
  try {
    key = await verifyEnrolment(rp, input.response, challengeOf(input.response), policy);
  } catch (error) {
    const reason = error instanceof WebAuthnRefusal ? error.reason : "verification_failed";
    await audit(db, context, { actor, action, outcome: "denied", reason });
    throw new CeremonyFailure(
      reason === "synced_credential"
        ? `This key is a synced passkey: only a hardware security key kept on you can be registered. ${retryHint}`
        : reason === "model_not_allowed"
          ? `This model of security key is not on the panel's list of approved keys. Use an approved key. ${retryHint}`
          : `The key could not be registered (${reason.replace(/_/g, " ")}). ${retryHint}`,
      reason,
    );
  }
  const existing = await db.securityKey.findUnique({
    where: { credentialId: new Uint8Array(key.credentialId) },
    select: { id: true },
  });
  if (existing) {
    await audit(db, context, { actor, action, outcome: "denied", reason: "credential_in_use" });
    throw new CeremonyFailure("This security key is already registered. Use another key.", "credential_in_use");
  }
  const created = await db.securityKey.create({
    data: {
      operatorId: actor.operatorId,
      name: input.keyName,
      credentialId: new Uint8Array(key.credentialId),
      publicKey: new Uint8Array(key.publicKey),
      signCount: BigInt(key.signCount),
      transports: key.transports,
      aaguid: key.aaguid,
      modelName: key.modelName,
      attestationFormat: key.attestationFormat,
      backupEligible: key.backupEligible,
      backedUp: key.backedUp,
      createdAt: now,
      lastUsedAt: action === "key.enrol" ? now : null,
    },
    select: { id: true },
  });
  await audit(db, context, {
    actor: { ...actor, securityKeyId: created.id },
    action,
    outcome: "success",
    target: { type: "security_key", id: created.id },
    params: { name: input.keyName, aaguid: key.aaguid, format: key.attestationFormat },
  });
  return created.id;
}

/** "Add a key", step 1 (after a fresh touch of a current key): options to register one more key for oneself. */
export async function startKeyAddition(
  db: Db,
  rp: RelyingParty,
  operator: { id: string; email: string; displayName: string },
  now = clockNow(),
) {
  const full = await db.operator.findUniqueOrThrow({ where: { id: operator.id } });
  const keys = await db.securityKey.findMany({
    where: { operatorId: operator.id, revokedAt: null },
    select: { credentialId: true },
  });
  const options = await registrationOptions(
    rp,
    full,
    keys.map((k) => k.credentialId),
  );
  const issued = await issueChallenge(db, { purpose: "registration", operatorId: operator.id }, now);
  return { options: { ...options, challenge: issued.challenge }, binding: issued.binding };
}

/** "Add a key", step 2: the registration must answer a challenge issued to this very operator. */
export async function completeKeyAddition(
  db: Db,
  rp: RelyingParty,
  operator: { id: string; email: string },
  input: { keyName: string; response: RegistrationResponseJSON; binding: string | undefined },
  context: RequestContext,
  policy: KeyPolicy = {},
  now = clockNow(),
): Promise<string> {
  const actor = { type: "operator" as const, operatorId: operator.id, label: operator.email };
  const challenge = await consumeChallenge(
    db,
    { challenge: challengeOf(input.response), purpose: "registration", binding: input.binding },
    now,
  );
  if (!challenge || challenge.operatorId !== operator.id || challenge.inviteId !== null) {
    await audit(db, context, { actor, action: "key.add", outcome: "denied", reason: "challenge_invalid" });
    throw new CeremonyFailure(
      "The registration took too long or was started in another tab. Start again from “Add a key”.",
      "challenge_invalid",
    );
  }
  return registerKey(
    db,
    rp,
    input,
    actor,
    context,
    policy,
    now,
    "key.add",
    "Start again from “Add a key” with another security key.",
  );
}

export async function startSignIn(db: Db, rp: RelyingParty, now = clockNow()) {
  const options = await authenticationOptions(rp);
  const issued = await issueChallenge(db, { purpose: "authentication" }, now);
  return { options: { ...options, challenge: issued.challenge }, binding: issued.binding };
}

/** Verify a sign-in assertion; returns the operator and key, or throws CeremonyFailure (generic message). */
export async function completeSignIn(
  db: Db,
  rp: RelyingParty,
  input: { response: unknown; binding: string | undefined },
  context: RequestContext,
  policy: KeyPolicy = {},
  now = clockNow(),
  limiter?: SignInLimiter,
): Promise<{ operatorId: string; keyId: string }> {
  const response = parseAssertion(input.response);
  const credential = response ? response.rawId : null;
  const refuse = async (reason: string, actor?: KeyActor) => {
    await audit(db, context, {
      actor: actor ? { type: "operator", ...actor } : undefined,
      action: "auth.sign_in",
      outcome: "denied",
      reason,
    });
    await limiter?.failed(context.ip, credential);
    return new CeremonyFailure(GENERIC_SIGN_IN_FAILURE, reason);
  };
  const wait = (await limiter?.retryAfter(context.ip, credential)) ?? 0;
  if (wait > 0) {
    await audit(db, context, { action: "auth.sign_in", outcome: "denied", reason: "rate_limited" });
    throw new CeremonyFailure(rateLimitedMessage(wait), "rate_limited");
  }
  // Not an assertion at all (no JSON, wrong fields, oversized): refused, audited and counted like any failure.
  if (!response) throw await refuse("malformed_response");
  const challenge = await consumeChallenge(
    db,
    { challenge: challengeOf(response), purpose: "authentication", binding: input.binding },
    now,
  );
  if (!challenge) throw await refuse("challenge_invalid");
  const verdict = await assertWithKey(db, rp, response, context, policy, now);
  if (!verdict.ok) throw await refuse(verdict.reason, verdict.actor);
  if (credential) await limiter?.succeeded(credential);
  await audit(db, context, {
    actor: { type: "operator", ...verdict.actor },
    action: "auth.sign_in",
    outcome: "success",
  });
  return { operatorId: verdict.actor.operatorId, keyId: verdict.actor.securityKeyId };
}

type KeyActor = { operatorId: string; label: string; securityKeyId: string };

/**
 * Check an assertion against the key it names (after its challenge was
 * consumed): the key and its owner must be usable, the signature valid, the
 * user verified, the counter moving forward. A counter going backwards
 * suspends the key (cloned key suspected) and is audited. The counter is
 * updated atomically. Shared by sign-in and step-up.
 */
export async function assertWithKey(
  db: Db,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  context: RequestContext,
  policy: KeyPolicy,
  now: Date,
): Promise<{ ok: true; actor: KeyActor } | { ok: false; reason: string; actor?: KeyActor }> {
  const credentialId = new Uint8Array(Buffer.from(response.rawId ?? response.id ?? "", "base64url"));
  if (credentialId.length === 0) return { ok: false, reason: "malformed_response" };
  const key = await db.securityKey.findUnique({ where: { credentialId }, include: { operator: true } });
  if (!key) return { ok: false, reason: "unknown_credential" };
  const actor = { operatorId: key.operatorId, label: key.operator.email, securityKeyId: key.id };
  if (key.revokedAt) return { ok: false, reason: "key_revoked", actor };
  if (key.suspendedAt) return { ok: false, reason: "key_suspended", actor };
  if (key.operator.disabledAt) return { ok: false, reason: "operator_disabled", actor };
  if (key.operator.expiresAt <= now) return { ok: false, reason: "operator_expired", actor };
  let newSignCount: number;
  try {
    ({ newSignCount } = await verifyAssertion(
      rp,
      response,
      challengeOf(response),
      {
        credentialId: key.credentialId,
        publicKey: key.publicKey,
        signCount: Number(key.signCount),
        transports: key.transports,
        ownerUserHandle: key.operator.webauthnUserId,
      },
      policy,
    ));
  } catch (error) {
    const reason = error instanceof WebAuthnRefusal ? error.reason : "verification_failed";
    if (reason === "counter_regression") {
      await db.securityKey.update({
        where: { id: key.id },
        data: { suspendedAt: now, suspendedReason: "signature counter went backwards (cloned key?)" },
      });
      await audit(db, context, {
        actor: { type: "operator", ...actor },
        action: "key.suspend",
        outcome: "success",
        target: { type: "security_key", id: key.id },
        reason,
      });
    }
    return { ok: false, reason, actor };
  }
  // Atomic: only moves forward from the value we verified against.
  const { count } = await db.securityKey.updateMany({
    where: { id: key.id, signCount: key.signCount },
    data: { signCount: BigInt(newSignCount), lastUsedAt: now },
  });
  if (!count) return { ok: false, reason: "counter_race", actor };
  return { ok: true, actor };
}

export function challengeOf(response: { response: { clientDataJSON: string } }): string {
  try {
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, "base64url").toString("utf8")) as {
      challenge?: string;
    };
    return typeof clientData.challenge === "string" ? clientData.challenge : "";
  } catch {
    return "";
  }
}

/** A ceremony's event; refusals go through the flood-proof tally (one event per source and minute, with a count). */
export async function audit(
  db: Db,
  context: RequestContext,
  event: {
    actor?: { type: "operator"; operatorId: string; label: string; securityKeyId?: string };
    action: string;
    outcome: "success" | "failure" | "denied";
    reason?: string;
    target?: { type: string; id: string };
    params?: Record<string, unknown>;
  },
) {
  const input = {
    actor: event.actor ?? { type: "anonymous" as const },
    ip: context.ip,
    userAgent: context.userAgent,
    action: event.action,
    reason: event.reason ?? null,
    target: event.target,
    params: event.params,
  };
  if (event.outcome === "denied") await recordRefusal(db, { ...input, outcome: "denied" });
  else await recordAuditEvent(db, { ...input, outcome: event.outcome });
}
