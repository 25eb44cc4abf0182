import type { Db } from "../db/client";

/**
 * The panel's own health, for load balancers and supervision: the database
 * answers, the job queue's schema is there, and (when there are hosts) the
 * host snapshot job has run in the last five minutes. Only up or down leaves
 * the panel; the reasons are for its log (in English: they are not shown to
 * people, so they are not messages).
 */
export async function panelHealth(db: Db, now = new Date()): Promise<{ up: boolean; problems: string[] }> {
  const reasons: string[] = [];
  try {
    await db.$queryRaw`SELECT 1`;
  } catch (error) {
    return { up: false, problems: [`database: ${(error as Error).message.split("\n")[0]}`] };
  }
  try {
    await db.$queryRaw`SELECT 1 FROM pgboss.version`;
  } catch {
    reasons.push("job queue: its schema is missing (background jobs not started)");
  }
  const hosts = await db.dockerHost.aggregate({ _count: { _all: true }, _max: { lastSnapshotAt: true } });
  if (hosts._count._all > 0) {
    const last = hosts._max.lastSnapshotAt;
    if (!last || now.getTime() - last.getTime() > 5 * 60_000) {
      reasons.push(
        `host snapshots: none for ${last ? Math.round((now.getTime() - last.getTime()) / 60_000) : "ever"} min`,
      );
    }
  }
  return { up: reasons.length === 0, problems: reasons };
}
