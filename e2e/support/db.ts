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

/** Move the panel's clock forward (lib/clock.ts reads this file). */
export function setPanelClockOffset(ms: number) {
  writeFileSync(process.env.E2E_CLOCK_FILE!, String(ms));
}

export const e2eEnv = () => ({
  DATABASE_URL: process.env.E2E_DATABASE_URL!,
  PANEL_URL: `http://localhost:${process.env.E2E_PORT ?? 3210}`,
});
