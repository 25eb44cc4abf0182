"use server";

import { db } from "@/lib/server/db/web";
import { env } from "@/lib/env";
import { defineTouchAction, idOf } from "@/lib/server/define-action";
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
 * The Operators page's actions: each one a dangerous action (admins only, a
 * fresh key touch made for this very action and these very parameters). The
 * parameters are checked for shape here (loosely: the touch is bound to
 * exactly what the page sent) and for content by the use case.
 */
const touchOn = { params: ([params]: readonly [unknown]) => params };
const list = z.array(z.string().max(100)).max(1000);

export const inviteOperatorAction = defineTouchAction(
  {
    name: "operator.invite",
    args: [
      z.looseObject({
        email: z.string().max(1000),
        displayName: z.string().max(1000).optional(),
        role: z.string().max(100),
        expiresAt: z.string().max(100).optional(),
        unitIds: list.optional(),
      }),
    ],
    stepUp: touchOn,
    revalidate: ["/operators"],
  },
  async ({ operator, args: [params] }) => {
    const invite = await inviteOperator(db(), params, { operatorId: operator.id, label: operator.email });
    return { link: `${env().PANEL_URL}/enrol#${invite.token}`, expiresAt: invite.expiresAt.toISOString() };
  },
);

export const updateOperatorAction = defineTouchAction(
  {
    name: "operator.update",
    args: [
      z.looseObject({
        operatorId: idOf("operator"),
        displayName: z.string().max(1000),
        role: z.string().max(100),
        unitIds: list,
        expiresAt: z.string().max(100),
      }),
    ],
    stepUp: touchOn,
    revalidate: ([{ operatorId }]) => [`/operators/${operatorId}`],
  },
  async ({ operator, args: [params], context }) => {
    await updateOperator(db(), operator, params, context);
    return null;
  },
);

export const setOperatorDisabledAction = defineTouchAction(
  {
    name: "operator.disable",
    args: [z.looseObject({ operatorId: idOf("operator"), disabled: z.boolean() })],
    stepUp: { ...touchOn, action: ([{ disabled }]) => (disabled ? "operator.disable" : "operator.enable") },
    revalidate: ([{ operatorId }]) => [`/operators/${operatorId}`],
  },
  async ({ operator, args: [{ operatorId, disabled }], context }) => {
    if (disabled) await disableOperator(db(), operator, { operatorId }, context);
    else await enableOperator(db(), operator, { operatorId }, context);
    return null;
  },
);

export const endSessionsAction = defineTouchAction(
  {
    name: "operator.end_sessions",
    args: [z.looseObject({ operatorId: idOf("operator") })],
    stepUp: touchOn,
    revalidate: ([{ operatorId }]) => [`/operators/${operatorId}`],
  },
  async ({ operator, args: [params], context }) => endSessions(db(), operator, params, context),
);

export const revokeOperatorKeyAction = defineTouchAction(
  {
    name: "operator.revoke_key",
    args: [z.looseObject({ operatorId: idOf("operator"), keyId: idOf("key") })],
    stepUp: touchOn,
    revalidate: ([{ operatorId }]) => [`/operators/${operatorId}`],
  },
  async ({ operator, args: [{ operatorId, keyId }], context }) => {
    await revokeKey(db(), operator, { keyId }, context, operatorId);
    return null;
  },
);
