import { recreateAndLoad, target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function databaseStep({
  db,
  ring,
  plan,
  identity,
  chosen,
  clients,
  putSafetyDatabaseBack,
}: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const { backup, manifest } = await chosen();
      await recreateAndLoad(
        await target(db, ring, plan.instanceId, clients),
        manifest,
        backup.location!,
        await identity(),
        ctx,
      );
      await ctx.progress(60);
    },
    compensate: putSafetyDatabaseBack,
    // A half-loaded database is worse than none: the safety backup's goes back even when this step fails.
    compensateOnFailure: true,
  };
}
