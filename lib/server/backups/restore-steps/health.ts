import { inspectContainer } from "../../../docker";
import { waitForHealth } from "../../instances/observe";
import { target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function healthStep({ db, ring, plan, options, clients }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const t = await target(db, ring, plan.instanceId, clients);
      const web = await inspectContainer(t.web, t.webContainerName);
      await waitForHealth(t.web, web, {
        timeoutMs: options.healthTimeoutMs ?? 120_000,
        hint: "The instance is being put back as it was before the restore.",
      });
      await ctx.log("/healthcheck.php answered ok.");
    },
  };
}
