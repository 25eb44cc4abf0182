"use server";

import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { cookies } from "next/headers";
import { CeremonyFailure, completeKeyAddition } from "@/lib/auth/ceremonies";
import { authConfig } from "@/lib/auth/config";
import { BINDING_COOKIE } from "@/lib/auth/tokens";
import { db } from "@/lib/server/db/web";
import { AppError } from "@/lib/errors";
import { defineAction, defineTouchAction, idOf } from "@/lib/server/define-action";
import { z } from "zod";
import { renameKey, revokeKey } from "@/lib/server/operators/manage-operators";

/** My keys: everyone manages their own keys; revoking needs a fresh touch made for that very key. */

export const revokeMyKeyAction = defineTouchAction(
  {
    name: "key.revoke",
    args: [z.looseObject({ keyId: idOf("key") })],
    stepUp: { params: ([params]) => params },
    revalidate: ["/keys"],
  },
  async ({ operator, args: [params], context }) => {
    await revokeKey(db(), operator, params, context, operator.id);
    return null;
  },
);

export const renameMyKeyAction = defineAction(
  {
    name: "key.rename",
    permission: "keys.own",
    args: [z.object({ keyId: idOf("key"), name: z.string().max(1000) })],
    revalidate: ["/keys"],
  },
  async ({ operator, args: [params], context }) => {
    await renameKey(db(), operator, params, context, operator.id);
    return null;
  },
);

/** Second half of "Add a key": the new key's registration (the first half, after a touch, is /api/webauthn/keys). */
const addKeyParams = z.object({ name: z.string().max(1000), response: z.string().max(64 * 1024) });

export const completeAddKeyAction = defineAction(
  { name: "key.add", permission: "keys.own", args: [addKeyParams], revalidate: ["/keys"] },
  async ({ operator, args: [checked], context }) => {
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
        context,
        config.policy,
      );
    } catch (error) {
      if (error instanceof CeremonyFailure) throw new AppError("bad_input", error.publicMessage);
      throw error;
    }
    return null;
  },
);
