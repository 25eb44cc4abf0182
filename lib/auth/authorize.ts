import type { RequestContext } from "../kernel";
import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden } from "next/navigation";
import { db } from "../server/db/web";
import { AppError } from "../errors";
import { recordRefusal } from "../server/audit/record-refusal";
import { authConfig } from "./config";
import { currentOperator, requireOperator } from "./current-operator";
import { isUuid } from "../server/ids";
import { can, seesWholeFleet, type Permission } from "./permissions";
import type { SessionOperator } from "./sessions";
import { verifyStepUp, type StepUpAction } from "./step-up";
import { BINDING_COOKIE } from "./tokens";

/** Who is asking, from where: the client address set by the panel's network gate, and the user agent. */
export async function requestContext(): Promise<RequestContext> {
  const h = await headers();
  return { ip: h.get("x-paillasse-client-ip"), userAgent: h.get("user-agent") };
}

async function auditRefusal(operator: SessionOperator, permission: Permission, target: string) {
  const context = await requestContext();
  await recordRefusal(db(), {
    actor: { type: "operator", operatorId: operator.id, label: operator.email, securityKeyId: operator.securityKeyId },
    ...context,
    action: "access.denied",
    outcome: "denied",
    reason: `role_${operator.role}_lacks_${permission}`,
    target: { type: "route", id: target },
  });
}

/**
 * A viewer limited to their units asked for an instance or operation that
 * exists but is not theirs: they get the same 404 as for one that does not
 * exist (nothing to learn), and the attempt is an audit event. Staff see the
 * whole fleet, so for them a miss is only a miss.
 */
export async function auditOutOfScope(
  viewer: SessionOperator,
  target: { type: "instance" | "operation"; id: string },
): Promise<void> {
  if (seesWholeFleet(viewer.role) || !isUuid(target.id)) return;
  const exists =
    target.type === "instance"
      ? await db().instance.count({ where: { id: target.id } })
      : await db().operation.count({ where: { id: target.id } });
  if (!exists) return;
  await recordRefusal(db(), {
    actor: { type: "operator", operatorId: viewer.id, label: viewer.email, securityKeyId: viewer.securityKeyId },
    ...(await requestContext()),
    action: "access.denied",
    outcome: "denied",
    reason: `out_of_scope_${target.type}`,
    target,
  });
}

/**
 * For pages: the signed-in operator when their role allows `permission`;
 * otherwise the 403 page (the refusal is audited). No session: the sign-in page.
 */
export async function requirePermission(permission: Permission, path: string): Promise<SessionOperator> {
  const operator = await requireOperator();
  if (!can(operator.role, permission)) {
    await auditRefusal(operator, permission, path);
    forbidden();
  }
  return operator;
}

/**
 * For server actions and route handlers: the same check, as an error the
 * caller turns into a response. Checked in every action, whatever the page
 * showed.
 */
export async function authorize(permission: Permission, target: string): Promise<SessionOperator> {
  const operator = await currentOperator();
  if (!operator) {
    throw new AppError("unauthenticated", "Your session has ended.", {
      hint: "Sign in again with your security key, then retry.",
    });
  }
  if (!can(operator.role, permission)) {
    await auditRefusal(operator, permission, target);
    throw new AppError("forbidden", "Your role does not allow this action.", {
      hint: "Ask an administrator if you need it.",
    });
  }
  return operator;
}

/**
 * The fresh key touch a dangerous action needs, checked against this very
 * action and these very parameters (see step-up.ts). Throws AppError.
 */
export async function confirmStepUp(
  operator: SessionOperator,
  action: StepUpAction,
  params: unknown,
  stepUp: string | undefined,
): Promise<{ securityKeyId: string }> {
  const config = authConfig();
  const binding = (await cookies()).get(BINDING_COOKIE)?.value;
  return verifyStepUp(
    db(),
    config.rp,
    operator,
    { action, params, response: stepUp, binding },
    await requestContext(),
    config.policy,
  );
}
