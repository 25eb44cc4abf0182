import { startContainer, stopContainer } from "../../../docker";
import { target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function stopStep({ db, ring, plan, clients }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const t = await target(db, ring, plan.instanceId, clients);
      await stopContainer(t.web, t.webContainerName, 30);
      await ctx.log(`Stopped ${t.webContainerName}.`);
      await ctx.progress(35);
    },
    async compensate(ctx) {
      const t = await target(db, ring, plan.instanceId, clients);
      if (ctx.resultIfAny("check")?.webWasRunning === false) {
        await ctx.log(`${t.webContainerName} was not running before the restore: left stopped.`);
        return;
      }
      await startContainer(t.web, t.webContainerName);
      await ctx.log(`Started ${t.webContainerName} again.`);
    },
  };
}
