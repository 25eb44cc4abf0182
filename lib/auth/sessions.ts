import type { Db } from "../server/db/client";
import { hashToken, newToken } from "./tokens";
import { now as clockNow } from "../clock";

export interface SessionLimits {
  absoluteMs: number;
  idleMs: number;
}

export interface SessionOperator {
  id: string;
  email: string;
  displayName: string;
  role: "admin" | "operator" | "correspondant";
  sessionId: string;
  /** The key this session was opened with. */
  securityKeyId: string | null;
  lastKeyTouchAt: Date;
}

/** Open a server-side session; the returned token goes into the (signed, encrypted) session JWT. */
export async function createSession(
  db: Db,
  input: { operatorId: string; securityKeyId: string; ip: string | null; userAgent: string | null },
  limits: SessionLimits,
  now = clockNow(),
): Promise<{ token: string; sessionId: string }> {
  const { token, hash } = newToken();
  const session = await db.operatorSession.create({
    data: {
      operatorId: input.operatorId,
      securityKeyId: input.securityKeyId,
      tokenHash: hash,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
      createdAt: now,
      lastSeenAt: now,
      lastKeyTouchAt: now,
      expiresAt: new Date(now.getTime() + limits.absoluteMs),
    },
    select: { id: true },
  });
  await db.operator.update({ where: { id: input.operatorId }, data: { lastLoginAt: now } });
  return { token, sessionId: session.id };
}

/**
 * The operator behind a session token, if the session may go on: not revoked,
 * within its absolute and idle limits, its operator enabled and not expired,
 * the key used not revoked or suspended. Touches lastSeenAt. Returns the reason
 * otherwise (for the audit log).
 */
export async function checkSession(
  db: Db,
  token: string | undefined,
  limits: SessionLimits,
  now = clockNow(),
): Promise<
  | { ok: true; operator: SessionOperator }
  | { ok: false; reason: string; sessionId?: string; operatorId?: string; operatorEmail?: string }
> {
  if (!token) return { ok: false, reason: "no_session" };
  const session = await db.operatorSession.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { operator: true, securityKey: { select: { revokedAt: true, suspendedAt: true } } },
  });
  if (!session) return { ok: false, reason: "unknown_session" };
  const ended = (reason: string) => ({
    ok: false as const,
    reason,
    sessionId: session.id,
    operatorId: session.operatorId,
    operatorEmail: session.operator.email,
  });
  if (session.revokedAt) return ended("session_revoked");
  if (session.expiresAt <= now) return ended("session_expired");
  if (session.lastSeenAt.getTime() + limits.idleMs <= now.getTime()) return ended("session_idle");
  if (session.operator.disabledAt) return ended("operator_disabled");
  if (session.operator.expiresAt <= now) return ended("operator_expired");
  if (!session.securityKey || session.securityKey.revokedAt || session.securityKey.suspendedAt)
    return ended("key_revoked");
  // Only write when it matters, not on every request.
  if (now.getTime() - session.lastSeenAt.getTime() > 30_000) {
    await db.operatorSession.update({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  const { operator } = session;
  return {
    ok: true,
    operator: {
      id: operator.id,
      email: operator.email,
      displayName: operator.displayName,
      role: operator.role,
      sessionId: session.id,
      securityKeyId: session.securityKeyId,
      lastKeyTouchAt: session.lastKeyTouchAt,
    },
  };
}

export async function revokeSession(db: Db, token: string, reason: string, now = clockNow()): Promise<string | null> {
  const { count } = await db.operatorSession.updateMany({
    where: { tokenHash: hashToken(token), revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  if (!count) return null;
  const session = await db.operatorSession.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { operatorId: true },
  });
  return session?.operatorId ?? null;
}
