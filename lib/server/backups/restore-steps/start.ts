import { startContainer } from "../../../docker";
import { target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function startStep({ db, ring, plan, clients }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const t = await target(db, ring, plan.instanceId, clients);
      await startContainer(t.web, t.webContainerName);
      await ctx.log(`Started ${t.webContainerName}.`);
      await ctx.progress(85);
    },
  };
}
