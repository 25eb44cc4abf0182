"use server";

import { z } from "zod";
import { db } from "@/lib/server/db/web";
import { defineTouchAction, idOf } from "@/lib/server/define-action";
import { cancelSchedule, MAX_SCHEDULED_INSTANCES, scheduleUpgrades } from "@/lib/server/upgrades/schedule";

const bounded = (max: number) => z.string().max(max);

/**
 * Plan upgrades for a time (a key touch for this very list, version and time): one or several
 * instances, one at a time, stopping at the first that does not succeed.
 */
export const scheduleUpgradesAction = defineTouchAction(
  {
    name: "upgrade.schedule",
    args: [
      z.object({
        runAt: bounded(64),
        version: bounded(128),
        runAs: bounded(32).optional(),
        instanceIds: z.array(idOf("instance")).max(MAX_SCHEDULED_INSTANCES),
      }),
    ],
    stepUp: { params: ([params]) => params },
    revalidate: () => ["/upgrades"],
  },
  async ({ operator, args: [{ runAt, version, runAs, instanceIds }], context }) => {
    const id = await scheduleUpgrades(
      db(),
      operator,
      { runAt, items: instanceIds.map((instanceId) => ({ instanceId, version, runAs })) },
      context,
    );
    return { id };
  },
);

/** Cancel a scheduled upgrade that has not started (a key touch). */
export const cancelScheduleAction = defineTouchAction(
  {
    name: "upgrade.schedule_cancel",
    args: [z.object({ scheduleId: idOf("schedule") })],
    stepUp: { params: ([params]) => params },
    revalidate: () => ["/upgrades"],
  },
  async ({ operator, args: [{ scheduleId }], context }) => {
    await cancelSchedule(db(), operator, scheduleId, context);
    return { cancelled: true };
  },
);
