"use server";

import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { authorize, confirmStepUp, requestContext } from "@/lib/auth/authorize";
import { CeremonyFailure, completeKeyAddition } from "@/lib/auth/ceremonies";
import { authConfig } from "@/lib/auth/config";
import { BINDING_COOKIE } from "@/lib/auth/tokens";
import { db } from "@/lib/server/db/web";
import { AppError } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { objectArgument } from "@/lib/server/action-input";
import { z } from "zod";
import { renameKey, revokeKey } from "@/lib/server/operators/manage-operators";

/** My keys: everyone manages their own keys; revoking needs a fresh touch made for that very key. */

export async function revokeMyKeyAction(params: { keyId: string }, stepUp: string): Promise<ActionResult> {
  return runAction(async () => {
    const operator = await authorize("keys.own", "key.revoke");
    const { securityKeyId } = await confirmStepUp(operator, "key.revoke", params, stepUp);
    await revokeKey(
      db(),
      { id: operator.id, email: operator.email, securityKeyId },
      params,
      await requestContext(),
      operator.id,
    );
    revalidatePath("/keys");
    return null;
  });
}

export async function renameMyKeyAction(params: { keyId: string; name: string }): Promise<ActionResult> {
  return runAction(async () => {
    const operator = await authorize("keys.own", "key.rename");
    await renameKey(
      db(),
      { id: operator.id, email: operator.email, securityKeyId: operator.securityKeyId },
      params,
      await requestContext(),
      operator.id,
    );
    revalidatePath("/keys");
    return null;
  });
}

/** Second half of "Add a key": the new key's registration (the first half, after a touch, is /api/webauthn/keys). */
const addKeyParams = z.object({ name: z.string().max(1000), response: z.string().max(64 * 1024) });

export async function completeAddKeyAction(params: { name: string; response: string }): Promise<ActionResult> {
  return runAction(async () => {
    const operator = await authorize("keys.own", "key.add");
    const checked = objectArgument(addKeyParams, params);
    const name = checked.name.trim();
    if (!name || name.length > 60) {
      throw new AppError("bad_input", "The key's name must be 1 to 60 characters.", {
        hint: "Name it so you can tell it apart, e.g. “Spare key in the safe”.",
      });
    }
    let response: RegistrationResponseJSON;
    try {
      response = JSON.parse(checked.response) as RegistrationResponseJSON;
      if (!response || typeof response !== "object") throw new Error("not an object");
    } catch {
      throw new AppError("bad_input", "The key's answer could not be read.", { hint: "Start again from “Add a key”." });
    }
    const config = authConfig();
    try {
      await completeKeyAddition(
        db(),
        config.rp,
        operator,
        { keyName: name, response, binding: (await cookies()).get(BINDING_COOKIE)?.value },
        await requestContext(),
        config.policy,
      );
    } catch (error) {
      if (error instanceof CeremonyFailure) throw new AppError("bad_input", error.publicMessage);
      throw error;
    }
    revalidatePath("/keys");
    return null;
  });
}
