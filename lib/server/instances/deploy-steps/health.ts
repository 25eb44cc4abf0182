import { inspectContainer } from "../../../docker";
import { waitForHealth } from "../observe";
import { UNDONE } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function healthStep({ plan, options, web }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      const w = await web();
      await waitForHealth(w, await inspectContainer(w, plan.webContainer), {
        timeoutMs: options.healthTimeoutMs ?? 120_000,
        hint: UNDONE,
        onWait: (elapsed, detail) =>
          ctx.progress(80 + Math.min(10, elapsed / 10_000), `Waiting for eLabFTW (${detail})`),
      });
      await ctx.log("/healthcheck.php answered ok from inside the web container.");
      await ctx.progress(92);
    },
  };
}
