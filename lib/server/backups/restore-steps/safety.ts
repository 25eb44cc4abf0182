import { AppError, errorText } from "../../../errors";
import { runNestedSteps } from "../../operations/journal";
import { backupSteps } from "../create-backup";
import { msg } from "../../../i18n/message";
import { currentDatabase, target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function safetyStep({ db, ring, operationId, plan, options, clients }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const current = await currentDatabase(await target(db, ring, plan.instanceId, clients), ctx);
      if ("nothing" in current) {
        await ctx.log(
          `No safety backup: ${current.nothing}, so there is no current state to save. The uploads now on the volume are replaced by the backup's without a copy.`,
          "warn",
        );
        return { backupId: null, skipped: current.nothing };
      }
      const inner = backupSteps(
        db,
        ring,
        operationId,
        { instanceId: plan.instanceId, trigger: "pre_restore" },
        {
          ...options,
          linkOperation: false,
        },
      );
      const results = await runNestedSteps(inner, ctx, {
        label: "Safety backup",
        progress: async (percent) => ctx.progress(5 + percent * 0.25, "Taking a safety backup"),
        onFailure: async (done, error) => {
          if (done.prepare?.backupId) {
            await db.backup.update({
              where: { id: done.prepare.backupId },
              data: { status: "failed", finishedAt: new Date(), error: (error as Error).message },
            });
          }
        },
      }).catch((error: unknown) => {
        throw new AppError("unavailable", msg`The safety backup failed, so nothing was restored: ${errorText(error)}`, {
          hint: "Fix what the safety backup reports (see the log), then restore again.",
        });
      });
      const { backupId } = results.manifest!;
      await ctx.log(`Safety backup written; it can be restored like any other.`);
      return { backupId };
    },
  };
}
