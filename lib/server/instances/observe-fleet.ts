import pLimit from "p-limit";
import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import { observeInstance } from "./observe";

/**
 * Every instance observed in the background, after each host snapshot, so
 * that the dashboard and the metrics tell the truth about instances nobody
 * opens. Pages only read what is stored here.
 *
 * - An instance held by an operation is left to it (the operation writes
 *   the state it leaves behind).
 * - An instance whose web host the snapshot could not reach is marked
 *   unreachable at once, without trying that host again.
 * - At most `perHost` observations run on one host and `overall` in all, each
 *   under its own deadline: a slow host delays only its own instances.
 */
export interface FleetObservationOptions {
  perHost?: number;
  overall?: number;
  /** Deadline of one instance's observation, in ms. */
  timeoutMs?: number;
}

export interface FleetObservationSummary {
  observed: number;
  unreachable: number;
  skipped: number;
  failed: { name: string; error: string }[];
  durationMs: number;
}

export async function observeFleet(
  db: Db,
  ring: KeyRing,
  options: FleetObservationOptions = {},
): Promise<FleetObservationSummary> {
  const started = Date.now();
  const instances = await db.instance.findMany({
    select: {
      id: true,
      name: true,
      webHostId: true,
      activeOperationId: true,
      webHost: { select: { reachability: true } },
    },
    orderBy: { name: "asc" },
  });
  const idle = instances.filter((i) => i.activeOperationId === null);
  const cut = idle.filter((i) => i.webHost.reachability === "unreachable").map((i) => i.id);
  if (cut.length) {
    await db.instance.updateMany({
      where: { id: { in: cut }, activeOperationId: null },
      data: { state: "unreachable", health: "unknown" },
    });
  }
  const overall = pLimit(options.overall ?? 8);
  const hosts = new Map<string, ReturnType<typeof pLimit>>();
  const perHost = (hostId: string) => {
    let limit = hosts.get(hostId);
    if (!limit) hosts.set(hostId, (limit = pLimit(options.perHost ?? 2)));
    return limit;
  };
  const timeoutMs = options.timeoutMs ?? 45_000;
  const failed: FleetObservationSummary["failed"] = [];
  let observed = 0;
  await Promise.all(
    idle
      .filter((i) => i.webHost.reachability !== "unreachable")
      .map((i) =>
        perHost(i.webHostId)(() =>
          overall(async () => {
            let timer: NodeJS.Timeout | undefined;
            try {
              const deadline = new Promise<never>((_, reject) => {
                timer = setTimeout(
                  () => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)),
                  timeoutMs,
                );
              });
              const work = observeInstance(db, ring, i.id, { onlyWhenIdle: true });
              work.catch(() => undefined); // the deadline may win
              await Promise.race([work, deadline]);
              observed++;
            } catch (error) {
              failed.push({ name: i.name, error: (error as Error).message });
            } finally {
              clearTimeout(timer);
            }
          }),
        ),
      ),
  );
  return {
    observed,
    unreachable: cut.length,
    skipped: instances.length - idle.length,
    failed,
    durationMs: Date.now() - started,
  };
}
