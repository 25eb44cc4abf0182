import { inspectContainer } from "../../../docker";
import { waitForHealth } from "../../instances/observe";
import type { UpgradeEnv, UpgradeStepBody } from "./env";

export function waitStep({
  plan,
  instance,
  clients,
  webClient,
  healthTimeoutMs,
  waitForDatabase,
}: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const i = await instance();
      const client = await webClient();
      if (i.databasePlacement === "container" && i.databaseHostId && i.databaseContainerName) {
        const dbClient = await clients(i.databaseHostId);
        await waitForDatabase(dbClient, i.databaseContainerName);
      }
      const web = await inspectContainer(client, i.webContainerName);
      // Inside the downtime: a probe every 100 ms, the progress written once a second, not at each probe.
      let reported = 0;
      await waitForHealth(client, web, {
        timeoutMs: healthTimeoutMs,
        intervalMs: 100,
        hint: "The new version does not answer; the old one is put back.",
        onWait: async (elapsed, detail) => {
          if (elapsed - reported < 1_000) return;
          reported = elapsed;
          await ctx.progress(62, `Waiting for ${plan.toTag} to answer (${Math.round(elapsed / 1000)} s: ${detail})`);
        },
      });
      const healthyAt = new Date();
      const recreated = ctx.result("recreate");
      const downtimeMs = healthyAt.getTime() - new Date(recreated.stoppedAt).getTime();
      await ctx.log(
        `${plan.toTag} answers ok (${(downtimeMs / 1000).toFixed(1)} s after the stop); users see real pages once the schema is in sync.`,
      );
      await ctx.progress(65, "New version answers");
      return { healthyAt: healthyAt.toISOString() };
    },
  };
}
