/**
 * Requests the network gate refused (not from a trusted network), for the
 * metrics and the log. The gate runs before any application code, so these
 * are counted in the panel process itself (since it started); the log gets
 * one line per client address and minute, with how many were refused, so a
 * scan cannot flood it.
 */
interface Tally {
  total: number;
  minute: number;
  perClient: Map<string, number>;
}

const holder = globalThis as unknown as { paillasseGateRefusals?: Tally };
function tally(): Tally {
  holder.paillasseGateRefusals ??= { total: 0, minute: 0, perClient: new Map() };
  return holder.paillasseGateRefusals;
}

export type GateLog = (fields: { client: string; refused: number; since: string }, message: string) => void;

/** Count one refusal; logs the first of each client's minute, and the previous minute's totals when it turns. */
export function noteGateRefusal(client: string | null, log: GateLog, at = Date.now()): void {
  const t = tally();
  t.total += 1;
  const minute = Math.floor(at / 60_000);
  if (minute !== t.minute) {
    for (const [who, n] of t.perClient) {
      if (n > 1) {
        log(
          { client: who, refused: n, since: new Date(t.minute * 60_000).toISOString() },
          "refused requests from outside the trusted networks",
        );
      }
    }
    t.perClient.clear();
    t.minute = minute;
  }
  const key = client ?? "unknown";
  const n = (t.perClient.get(key) ?? 0) + 1;
  t.perClient.set(key, n);
  // Bounded memory under a scan from many addresses: the rest of the minute is counted in the total only.
  if (t.perClient.size > 10_000) t.perClient.delete(key);
  if (n === 1) {
    log(
      { client: key, refused: 1, since: new Date(minute * 60_000).toISOString() },
      "refused a request from outside the trusted networks",
    );
  }
}

/** Refusals since this process started. */
export function gateRefusals(): number {
  return tally().total;
}
