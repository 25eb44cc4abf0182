import { replaceUploads, target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";

export function uploadsStep({
  db,
  ring,
  plan,
  identity,
  chosen,
  clients,
  putSafetyUploadsBack,
}: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const { backup, manifest } = await chosen();
      await replaceUploads(
        await target(db, ring, plan.instanceId, clients),
        manifest,
        backup.location!,
        await identity(),
        ctx,
      );
      await ctx.progress(80);
    },
    compensate: putSafetyUploadsBack,
    compensateOnFailure: true,
  };
}
