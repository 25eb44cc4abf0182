"use server";

import { revalidatePath } from "next/cache";
import { authorize, confirmStepUp, requestContext } from "@/lib/auth/authorize";
import type { StepUpAction } from "@/lib/auth/step-up";
import { db } from "@/lib/server/db/web";
import { env } from "@/lib/env";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { objectArgument } from "@/lib/server/action-input";
import { z } from "zod";
import { inviteOperator } from "@/lib/server/operators/invite-operator";
import {
  disableOperator,
  enableOperator,
  endSessions,
  revokeKey,
  updateOperator,
} from "@/lib/server/operators/manage-operators";

/**
 * The Operators page's actions. Each one checks, on the server and in this
 * order: a live session whose role is admin, then a fresh key touch made for
 * this very action and these very parameters; only then does it act.
 */
async function asAdmin(action: StepUpAction, params: unknown, stepUp: string) {
  const operator = await authorize("operators.manage", action);
  const { securityKeyId } = await confirmStepUp(operator, action, params, stepUp);
  return { operator, actor: { id: operator.id, email: operator.email, securityKeyId } };
}

export async function inviteOperatorAction(
  params: { email: string; displayName?: string; role: string; expiresAt?: string; unitIds?: string[] },
  stepUp: string,
): Promise<ActionResult<{ link: string; expiresAt: string }>> {
  return runAction(async () => {
    const { operator } = await asAdmin("operator.invite", params, stepUp);
    const invite = await inviteOperator(db(), params as Parameters<typeof inviteOperator>[1], {
      operatorId: operator.id,
      label: operator.email,
    });
    revalidatePath("/operators");
    return { link: `${env().PANEL_URL}/enrol#${invite.token}`, expiresAt: invite.expiresAt.toISOString() };
  });
}

export async function updateOperatorAction(
  params: { operatorId: string; displayName: string; role: string; unitIds: string[]; expiresAt: string },
  stepUp: string,
): Promise<ActionResult> {
  return runAction(async () => {
    const { actor } = await asAdmin("operator.update", params, stepUp);
    await updateOperator(db(), actor, params, await requestContext());
    revalidatePath(`/operators/${params.operatorId}`);
    return null;
  });
}

export async function setOperatorDisabledAction(
  params: { operatorId: string; disabled: boolean },
  stepUp: string,
): Promise<ActionResult> {
  return runAction(async () => {
    const { disabled } = objectArgument(z.looseObject({ disabled: z.boolean() }), params);
    const action = disabled ? "operator.disable" : "operator.enable";
    const { actor } = await asAdmin(action, params, stepUp);
    const ref = { operatorId: params.operatorId };
    if (disabled) await disableOperator(db(), actor, ref, await requestContext());
    else await enableOperator(db(), actor, ref, await requestContext());
    revalidatePath(`/operators/${params.operatorId}`);
    return null;
  });
}

export async function endSessionsAction(params: { operatorId: string }, stepUp: string): Promise<ActionResult<number>> {
  return runAction(async () => {
    const { actor } = await asAdmin("operator.end_sessions", params, stepUp);
    const count = await endSessions(db(), actor, params, await requestContext());
    revalidatePath(`/operators/${params.operatorId}`);
    return count;
  });
}

export async function revokeOperatorKeyAction(
  params: { operatorId: string; keyId: string },
  stepUp: string,
): Promise<ActionResult> {
  return runAction(async () => {
    const { actor } = await asAdmin("operator.revoke_key", params, stepUp);
    await revokeKey(db(), actor, { keyId: params.keyId }, await requestContext(), params.operatorId);
    revalidatePath(`/operators/${params.operatorId}`);
    return null;
  });
}
