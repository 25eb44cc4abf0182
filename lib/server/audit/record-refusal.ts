import { now as clockNow } from "../../clock";
import type { Db } from "../db/client";
import { appendAuditEvent, recordAuditEvent, type AuditInput } from "./record-audit-event";

/**
 * Refused authentication and authorisation attempts go to the audit trail
 * without letting a flood fill it: per source address, actor, action and
 * reason, the first refusal of each minute is an event at once (with all its
 * detail), and the others of that minute are counted in "RefusalTally" and
 * written as one event with their count once the minute is over (at the next
 * refusal, or by the minute job, whichever comes first). So a scripted flood
 * costs at most two events per source per minute, and no attempt goes
 * uncounted.
 */
export type RefusalInput = AuditInput & { outcome: "denied" };

const MINUTE = 60_000;

function windowOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE) * MINUTE);
}

/** Record one refusal: "recorded" when it became an event now, "counted" when it joined this minute's tally. */
export async function recordRefusal(
  db: Db,
  input: RefusalInput,
  at: Date = clockNow(),
): Promise<"recorded" | "counted"> {
  const source = (input.ip ?? "unknown").slice(0, 100);
  const who = JSON.stringify(input.actor);
  const reason = input.reason ?? "";
  const windowStart = windowOf(at);
  const [row] = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "RefusalTally" ("source", "who", "action", "reason", "windowStart", "count", "lastAt")
    VALUES (${source}, ${who}, ${input.action}, ${reason}, ${windowStart}, 1, ${at})
    ON CONFLICT ("source", "who", "action", "reason", "windowStart")
    DO UPDATE SET "count" = "RefusalTally"."count" + 1, "lastAt" = EXCLUDED."lastAt"
    RETURNING "count"`;
  if (row!.count > 1) return "counted";
  await flushRefusalTallies(db, at);
  await recordAuditEvent(db, { ...input, params: { ...input.params, count: 1 } });
  return "recorded";
}

/**
 * Write the tallies of the minutes that are over as one event each (those
 * with more than their first refusal), and forget them. Rows are claimed and
 * written in one transaction: two panel processes never write the same tally
 * twice, and a crash loses none.
 */
export async function flushRefusalTallies(db: Db, at: Date = clockNow()): Promise<number> {
  return db.$transaction(async (tx) => {
    const ended = await tx.$queryRaw<
      { source: string; who: string; action: string; reason: string; windowStart: Date; count: number; lastAt: Date }[]
    >`DELETE FROM "RefusalTally" WHERE "windowStart" < ${windowOf(at)}
      RETURNING "source", "who", "action", "reason", "windowStart", "count", "lastAt"`;
    const repeated = ended
      .filter((t) => t.count > 1)
      .sort((a, b) => a.windowStart.getTime() - b.windowStart.getTime() || a.source.localeCompare(b.source));
    for (const t of repeated) {
      await appendAuditEvent(tx, {
        actor: JSON.parse(t.who) as AuditInput["actor"],
        ip: t.source === "unknown" ? null : t.source,
        action: t.action,
        outcome: "denied",
        reason: t.reason || null,
        params: {
          count: t.count - 1,
          aggregated: true,
          from: t.windowStart.toISOString(),
          to: t.lastAt.toISOString(),
        },
      });
    }
    return repeated.length;
  });
}
