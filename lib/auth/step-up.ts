import type { RequestContext } from "../kernel";
import { createHash } from "node:crypto";
import { generateAuthenticationOptions, type AuthenticationResponseJSON } from "@simplewebauthn/server";
import { now as clockNow } from "../clock";
import { AppError } from "../errors";
import type { Db } from "../server/db/client";
import { assertWithKey, audit, challengeOf } from "./ceremonies";
import { consumeChallenge, issueChallenge } from "./challenges";
import type { Permission } from "./permissions";
import type { KeyPolicy, RelyingParty } from "./webauthn";
import { canonicalJson } from "../canonical-json";

/**
 * Step-up: a dangerous action needs a touch of one of the operator's own
 * keys, made within the last five minutes (the challenge's lifetime), whose
 * challenge was issued for that very action and those very parameters
 * (action name + SHA-256 of the canonical parameters). The challenge is
 * consumed when the action runs, so a touch authorises exactly one action,
 * once: a touch for "revoke key A" cannot revoke key B, invite someone, or
 * serve twice.
 */
export const STEP_UP_ACTIONS = {
  "operator.invite": "operators.manage",
  "operator.update": "operators.manage",
  "operator.disable": "operators.manage",
  "operator.enable": "operators.manage",
  "operator.end_sessions": "operators.manage",
  "operator.revoke_key": "operators.manage",
  "key.add": "keys.own",
  "key.revoke": "keys.own",
  "settings.update": "settings.manage",
  "host.delete": "hosts.manage",
  "host.forget_fingerprint": "hosts.manage",
  "instance.deploy": "instances.deploy",
  "instance.recover": "instances.deploy",
  "instance.upgrade": "instances.upgrade",
  "instance.database_upgrade": "instances.upgrade",
  "upgrade.schedule": "instances.upgrade",
  "upgrade.schedule_cancel": "instances.upgrade",
  "instance.delete": "instances.delete",
  "instance.reread_credentials": "instances.manage",
  "backup.restore": "backups.restore",
  "repository.recovery_kit": "repositories.manage",
} as const satisfies Record<string, Permission>;

export type StepUpAction = keyof typeof STEP_UP_ACTIONS;

export function isStepUpAction(value: unknown): value is StepUpAction {
  return typeof value === "string" && Object.hasOwn(STEP_UP_ACTIONS, value);
}

export function stepUpParamsHash(action: StepUpAction, params: unknown): string {
  return createHash("sha256")
    .update(`${action}\n${canonicalJson(params ?? {})}`, "utf8")
    .digest("hex");
}

export const STEP_UP_REFUSED =
  "This action needs a fresh touch of your security key, made for this very action in the last 5 minutes. Confirm again with your key.";

/** Options for the touch: only the operator's own usable keys are offered. */
export async function startStepUp(
  db: Db,
  rp: RelyingParty,
  operator: { id: string },
  action: StepUpAction,
  params: unknown,
  now = clockNow(),
) {
  const keys = await db.securityKey.findMany({
    where: { operatorId: operator.id, revokedAt: null, suspendedAt: null },
    select: { credentialId: true, transports: true },
  });
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: "required",
    allowCredentials: keys.map((k) => ({
      id: Buffer.from(k.credentialId).toString("base64url"),
      transports: k.transports as ("usb" | "nfc" | "ble" | "hybrid" | "internal" | "smart-card" | "cable")[],
    })),
    timeout: 120_000,
  });
  const issued = await issueChallenge(
    db,
    { purpose: "step_up", operatorId: operator.id, action, paramsHash: stepUpParamsHash(action, params) },
    now,
  );
  return { options: { ...options, challenge: issued.challenge }, binding: issued.binding };
}

/**
 * Check the touch for `action` with `params` (as the action received them).
 * Throws AppError("forbidden", STEP_UP_REFUSED) when it does not authorise
 * them; every outcome is audited. On success the session's last key touch is
 * moved and the key used is returned.
 */
export async function verifyStepUp(
  db: Db,
  rp: RelyingParty,
  operator: { id: string; email: string; sessionId: string },
  input: { action: StepUpAction; params: unknown; response: string | undefined; binding: string | undefined },
  context: RequestContext,
  policy: KeyPolicy = {},
  now = clockNow(),
): Promise<{ securityKeyId: string }> {
  const actor = { type: "operator" as const, operatorId: operator.id, label: operator.email };
  const refuse = async (reason: string) => {
    await audit(db, context, {
      actor,
      action: "auth.step_up",
      outcome: "denied",
      reason,
      params: { for: input.action },
    });
    return new AppError("forbidden", STEP_UP_REFUSED, {
      hint: "Click the action again and touch your key when asked.",
    });
  };
  let response: AuthenticationResponseJSON;
  try {
    response = JSON.parse(input.response ?? "") as AuthenticationResponseJSON;
    if (!response?.response?.clientDataJSON) throw new Error("malformed");
  } catch {
    throw await refuse("step_up_missing");
  }
  const challenge = await consumeChallenge(
    db,
    { challenge: challengeOf(response), purpose: "step_up", binding: input.binding },
    now,
  );
  if (!challenge) throw await refuse("challenge_invalid");
  if (challenge.operatorId !== operator.id) throw await refuse("step_up_other_operator");
  if (challenge.action !== input.action || challenge.paramsHash !== stepUpParamsHash(input.action, input.params)) {
    throw await refuse("step_up_other_action");
  }
  const verdict = await assertWithKey(db, rp, response, context, policy, now);
  if (!verdict.ok) throw await refuse(verdict.reason);
  if (verdict.actor.operatorId !== operator.id) throw await refuse("step_up_foreign_key");
  await db.operatorSession.update({ where: { id: operator.sessionId }, data: { lastKeyTouchAt: now } });
  await audit(db, context, {
    actor: { ...actor, securityKeyId: verdict.actor.securityKeyId },
    action: "auth.step_up",
    outcome: "success",
    params: { for: input.action },
  });
  return { securityKeyId: verdict.actor.securityKeyId };
}
