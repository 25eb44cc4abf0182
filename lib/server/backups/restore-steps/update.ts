import { elabftwVersionOf, execCapture, inspectContainer } from "../../../docker";
import { AppError } from "../../../errors";
import { dbUpdateMilestones, dbUpdateSucceeded } from "../../instances/elabftw-console";
import { dbCheck } from "../../instances/observe";
import { msg } from "../../../i18n/message";
import { target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function updateStep({ db, ring, plan, clients }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const t = await target(db, ring, plan.instanceId, clients);
      const web = await inspectContainer(t.web, t.webContainerName);
      const check = await dbCheck(t.web, web);
      if (!("current" in check)) throw new AppError("unavailable", msg`db:check: ${check.detail}.`);
      if (check.upToDate) {
        await ctx.log(`Schema ${check.current}: as the image requires, no update needed.`);
        return { updated: false, schema: check.current };
      }
      await ctx.log(`Schema ${check.current}, the image requires ${check.required}: running bin/console db:update.`);
      const update = await execCapture(t.web, web.id, { cmd: ["bin/console", "db:update"] });
      for (const line of dbUpdateMilestones(update.stdout)) await ctx.log(line);
      if (!dbUpdateSucceeded(update.exitCode ?? -1, update.stdout, elabftwVersionOf(web.labels))) {
        throw new AppError("unavailable", msg`bin/console db:update failed (exit ${update.exitCode}).`, {
          hint: "The instance is being put back as it was before the restore.",
        });
      }
      const after = await dbCheck(t.web, web);
      if (!("upToDate" in after) || !after.upToDate)
        throw new AppError("unavailable", msg`After db:update, ${after.detail}.`);
      return { updated: true, schema: after.current };
    },
  };
}
