import type { Actor, RequestContext } from "../../kernel";
import { z } from "zod";
import { now as clockNow } from "../../clock";
import { AppError } from "../../errors";
import { appendAuditEvent, requestedBy } from "../audit/record-audit-event";
import type { Db, Tx } from "../db/client";
import { parseInput } from "../validation";

/**
 * What an admin (or, for their own keys, anyone) changes about people and
 * keys. Every function validates its input, refuses what would lock people
 * out (the last active key, the last admin, disabling oneself), writes in
 * one transaction, and records an audit event. Authorisation and step-up are
 * the caller's (the server action's) job and happen before.
 */

const uuid = z.string().uuid({ message: "is not a valid identifier" });

const parse = <T extends z.ZodType>(schema: T, input: unknown): z.infer<T> =>
  parseInput(schema, input, {}, "Correct it and try again.");

/** The change's audit event, on the change's own transaction: both are written or neither. */
async function audit(
  tx: Tx,
  actor: Actor,
  context: RequestContext,
  event: { action: string; target: { type: string; id: string }; params?: Record<string, unknown>; reason?: string },
  outcome: "success" | "denied" = "success",
) {
  await appendAuditEvent(tx, { ...requestedBy(actor, context), outcome, ...event });
}

/** Lock an operator row for the rest of the transaction (serialises key and role changes). */
async function lockOperator(tx: Tx, operatorId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Operator" WHERE id = ${operatorId} FOR UPDATE`;
  if (!rows.length) throw new AppError("not_found", "This operator does not exist.", { hint: "Reload the page." });
}

async function otherActiveAdmins(tx: Tx, operatorId: string, now: Date): Promise<number> {
  await tx.$executeRaw`SELECT id FROM "Operator" WHERE role = 'admin' FOR UPDATE`;
  return tx.operator.count({
    where: { role: "admin", id: { not: operatorId }, disabledAt: null, expiresAt: { gt: now } },
  });
}

export const updateOperatorSchema = z.object({
  operatorId: uuid,
  displayName: z.string().trim().min(1, { message: "must not be empty" }).max(120),
  role: z.enum(["admin", "operator", "correspondant"], { message: "must be admin, operator or correspondant" }),
  unitIds: z.array(uuid).max(200),
  expiresAt: z.coerce.date({ message: "must be a date such as 2027-12-31" }),
});

/** Change name, role, units and account expiry. A correspondant must belong to at least one unit. */
export async function updateOperator(db: Db, actor: Actor, input: unknown, context: RequestContext, now = clockNow()) {
  const data = parse(updateOperatorSchema, input);
  if (data.expiresAt <= now) {
    throw new AppError("bad_input", "The account expiry must be in the future.", {
      hint: "To stop someone at once, disable the account instead.",
    });
  }
  if (data.role === "correspondant" && data.unitIds.length === 0) {
    throw new AppError("bad_input", "A correspondant CLE must belong to at least one unit.", {
      hint: "Pick the unit(s) whose instances they answer for.",
    });
  }
  await db.$transaction(async (tx) => {
    await lockOperator(tx, data.operatorId);
    const current = await tx.operator.findUniqueOrThrow({
      where: { id: data.operatorId },
      include: { memberships: { select: { unitId: true } } },
    });
    if (current.role === "admin" && data.role !== "admin" && (await otherActiveAdmins(tx, current.id, now)) === 0) {
      throw new AppError("conflict", "This is the last active admin: the panel would have nobody to manage it.", {
        hint: "Make someone else admin first.",
      });
    }
    const units = await tx.unit.count({ where: { id: { in: data.unitIds } } });
    if (units !== new Set(data.unitIds).size) {
      throw new AppError("bad_input", "One of the chosen units no longer exists.", { hint: "Reload the page." });
    }
    await tx.operator.update({
      where: { id: current.id },
      data: { displayName: data.displayName, role: data.role, expiresAt: data.expiresAt },
    });
    await tx.unitMembership.deleteMany({ where: { operatorId: current.id, unitId: { notIn: data.unitIds } } });
    await tx.unitMembership.createMany({
      data: data.unitIds.map((unitId) => ({ operatorId: current.id, unitId })),
      skipDuplicates: true,
    });
    await audit(tx, actor, context, {
      action: current.role !== data.role ? "operator.role_change" : "operator.update",
      target: { type: "operator", id: data.operatorId },
      params: {
        email: current.email,
        role: current.role === data.role ? data.role : { from: current.role, to: data.role },
        expiresAt: data.expiresAt.toISOString(),
        units: data.unitIds.length,
      },
    });
  });
}

export const operatorRefSchema = z.object({ operatorId: uuid });

/** Disable an account: its sessions end, its pending enrolment links die; history stays. */
export async function disableOperator(db: Db, actor: Actor, input: unknown, context: RequestContext, now = clockNow()) {
  const { operatorId } = parse(operatorRefSchema, input);
  if (operatorId === actor.id) {
    throw new AppError("conflict", "You cannot disable your own account.", {
      hint: "Ask another admin to do it.",
    });
  }
  await db.$transaction(async (tx) => {
    await lockOperator(tx, operatorId);
    const target = await tx.operator.findUniqueOrThrow({ where: { id: operatorId } });
    const recorded = () =>
      audit(tx, actor, context, {
        action: "operator.disable",
        target: { type: "operator", id: operatorId },
        params: { email: target.email },
      });
    if (target.disabledAt) return recorded();
    if (target.role === "admin" && (await otherActiveAdmins(tx, operatorId, now)) === 0) {
      throw new AppError("conflict", "This is the last active admin: the panel would have nobody to manage it.", {
        hint: "Make someone else admin first.",
      });
    }
    await tx.operator.update({
      where: { id: operatorId },
      data: { disabledAt: now, disabledReason: "disabled by admin" },
    });
    await tx.operatorSession.updateMany({
      where: { operatorId, revokedAt: null },
      data: { revokedAt: now, revokedReason: "operator_disabled" },
    });
    await tx.enrolmentInvite.updateMany({
      where: { operatorId, usedAt: null, revokedAt: null },
      data: { revokedAt: now },
    });
    await recorded();
  });
}

export async function enableOperator(db: Db, actor: Actor, input: unknown, context: RequestContext) {
  const { operatorId } = parse(operatorRefSchema, input);
  await db.$transaction(async (tx) => {
    const target = await tx.operator.update({
      where: { id: operatorId },
      data: { disabledAt: null, disabledReason: null },
      select: { email: true },
    });
    await audit(tx, actor, context, {
      action: "operator.enable",
      target: { type: "operator", id: operatorId },
      params: { email: target.email },
    });
  });
}

/** End every live session of an operator: they must sign in again with a key at their next request. */
export async function endSessions(db: Db, actor: Actor, input: unknown, context: RequestContext, now = clockNow()) {
  const { operatorId } = parse(operatorRefSchema, input);
  return db.$transaction(async (tx) => {
    const { count } = await tx.operatorSession.updateMany({
      where: { operatorId, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now, revokedReason: "ended_by_admin" },
    });
    await audit(tx, actor, context, {
      action: "operator.end_sessions",
      target: { type: "operator", id: operatorId },
      params: { sessions: count },
    });
    return count;
  });
}

export const keyRefSchema = z.object({ keyId: uuid });

/**
 * Revoke a key (never delete it). `ownerId` restricts the change to one
 * operator's own keys (My keys); admins pass null. The last active key of an
 * operator cannot be revoked: they could no longer sign in.
 */
export async function revokeKey(
  db: Db,
  actor: Actor,
  input: unknown,
  context: RequestContext,
  ownerId: string | null,
  now = clockNow(),
) {
  const { keyId } = parse(keyRefSchema, input);
  const key = await db.securityKey.findUnique({ where: { id: keyId }, select: { operatorId: true } });
  if (!key || (ownerId !== null && key.operatorId !== ownerId)) {
    throw new AppError("not_found", "This key does not exist or is not yours.", { hint: "Reload the page." });
  }
  await db.$transaction(async (tx) => {
    await lockOperator(tx, key.operatorId);
    const current = await tx.securityKey.findUniqueOrThrow({ where: { id: keyId } });
    if (current.revokedAt) return;
    const otherActive = await tx.securityKey.count({
      where: { operatorId: key.operatorId, id: { not: keyId }, revokedAt: null, suspendedAt: null },
    });
    if (otherActive === 0) {
      throw new AppError("conflict", "This is the last active key of this account: without it nobody could sign in.", {
        hint: "Register another key first (or, for a lost key, send a new enrolment link), then revoke this one.",
      });
    }
    await tx.securityKey.update({ where: { id: keyId }, data: { revokedAt: now, revokedById: actor.id } });
    await tx.operatorSession.updateMany({
      where: { securityKeyId: keyId, revokedAt: null },
      data: { revokedAt: now, revokedReason: "key_revoked" },
    });
    await audit(tx, actor, context, {
      action: "key.revoke",
      target: { type: "security_key", id: keyId },
      params: { name: current.name, owner: key.operatorId },
    });
  });
}

export const renameKeySchema = z.object({
  keyId: uuid,
  name: z
    .string()
    .trim()
    .min(1, { message: "must not be empty" })
    .max(60, { message: "must be 60 characters or fewer" }),
});

export async function renameKey(db: Db, actor: Actor, input: unknown, context: RequestContext, ownerId: string) {
  const { keyId, name } = parse(renameKeySchema, input);
  await db.$transaction(async (tx) => {
    const { count } = await tx.securityKey.updateMany({ where: { id: keyId, operatorId: ownerId }, data: { name } });
    if (!count) {
      throw new AppError("not_found", "This key does not exist or is not yours.", { hint: "Reload the page." });
    }
    await audit(tx, actor, context, {
      action: "key.rename",
      target: { type: "security_key", id: keyId },
      params: { name },
    });
  });
}
