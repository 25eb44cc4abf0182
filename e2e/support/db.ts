import { writeFileSync } from "node:fs";
import pg from "pg";

/** Direct SQL on the e2e database: to arrange a situation or to check what the panel stored. */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function auditRows(where: string, params: unknown[] = []) {
  return sql<{ action: string; outcome: string; reason: string | null; actorLabel: string | null }>(
    `SELECT action, outcome, reason, "actorLabel" FROM "AuditEvent" WHERE ${where} ORDER BY id`,
    params,
  );
}

/**
 * Refused attempts per reason, flood tallies included: the first of a minute is an event, the rest are an
 * aggregated event (params.count) once the minute is over, or still a row of "RefusalTally" until then.
 */
export async function refusalCounts(actorLabel: string, action: string): Promise<Record<string, number>> {
  const rows = await sql<{ reason: string; n: string }>(
    `SELECT reason, SUM(n)::text AS n FROM (
       SELECT reason, COALESCE((params->>'count')::int, 1) AS n FROM "AuditEvent"
        WHERE "actorLabel" = $1 AND action = $2 AND outcome = 'denied'
       UNION ALL
       SELECT reason, count - 1 FROM "RefusalTally" WHERE who::jsonb->>'label' = $1 AND action = $2
     ) t GROUP BY reason`,
    [actorLabel, action],
  );
  return Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]));
}

/** Move the panel's clock forward (lib/clock.ts reads this file). */
export function setPanelClockOffset(ms: number) {
  writeFileSync(process.env.E2E_CLOCK_FILE!, String(ms));
}

export const e2eEnv = () => ({
  DATABASE_URL: process.env.E2E_DATABASE_URL!,
  PANEL_URL: `http://localhost:${process.env.E2E_PORT ?? 3210}`,
  // The panel's data directory: the command-line tools find its master key there, as beside a real panel.
  PANEL_DATA_DIR: process.env.E2E_PANEL_DATA_DIR!,
});
