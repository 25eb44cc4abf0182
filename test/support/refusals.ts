import type { Db } from "../../lib/server/db/client";

/**
 * Refused attempts of one action per reason, as the audit trail accounts for them: events (an aggregated one
 * carries its count) plus what this minute's tallies still hold beyond their first, already written, refusal.
 */
export async function refusalTotals(db: Db, action: string): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ reason: string | null; n: bigint }[]>`
    SELECT reason, SUM(n)::bigint AS n FROM (
      SELECT "reason", COALESCE(("params"->>'count')::int, 1) AS n FROM "AuditEvent"
       WHERE "action" = ${action} AND "outcome" = 'denied'
      UNION ALL
      SELECT NULLIF("reason", ''), "count" - 1 FROM "RefusalTally" WHERE "action" = ${action}
    ) t GROUP BY reason`;
  return new Map(rows.map((r) => [r.reason ?? "", Number(r.n)]));
}

/** The one reason whose count grew by one between two readings of refusalTotals (throws otherwise). */
export function newRefusal(before: Map<string, number>, after: Map<string, number>): string {
  const grown = [...after].filter(([reason, n]) => n !== (before.get(reason) ?? 0));
  if (grown.length !== 1 || grown[0]![1] - (before.get(grown[0]![0]) ?? 0) !== 1) {
    throw new Error(`expected exactly one new refusal, saw ${JSON.stringify(grown)}`);
  }
  return grown[0]![0];
}
