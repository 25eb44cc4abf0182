import { purgeChallenges } from "../../auth/challenges";
import type { Db } from "../db/client";

export interface Retention {
  /** Days an ended session (expired, revoked or signed out) is kept. */
  sessionDays: number;
  /** Days the log lines of a finished operation are kept (the operation and its steps stay). */
  operationLogDays: number;
}

const DAY = 24 * 3600_000;

/**
 * The daily housekeeping: what can no longer be used, or has outlived its
 * retention, is deleted. Never the audit trail, never an operation or its
 * steps (the history of what was done), never a running operation's log.
 */
export async function purgeExpired(
  db: Db,
  retention: Retention,
  now = new Date(),
): Promise<{ challenges: number; sessions: number; operationLogLines: number }> {
  const challenges = await purgeChallenges(db, now);
  const sessionsBefore = new Date(now.getTime() - retention.sessionDays * DAY);
  const sessions = await db.operatorSession.deleteMany({
    where: { OR: [{ expiresAt: { lt: sessionsBefore } }, { revokedAt: { lt: sessionsBefore } }] },
  });
  const logsBefore = new Date(now.getTime() - retention.operationLogDays * DAY);
  const operationLogLines = await db.operationLog.deleteMany({
    where: {
      operation: { finishedAt: { lt: logsBefore }, state: { in: ["succeeded", "failed", "rolled_back", "cancelled"] } },
    },
  });
  return { challenges, sessions: sessions.count, operationLogLines: operationLogLines.count };
}
