import { removeContainer } from "../../../docker";
import type { VerifyEnv, VerifyStepBody } from "./env";

/** The throw-away database server is removed, whatever happened. */
export function cleanupStep({ container, dbClient }: VerifyEnv): VerifyStepBody {
  return {
    async run(ctx) {
      await removeContainer(await dbClient(), container, { force: true, volumes: true });
      await ctx.log(`Removed ${container}.`);
    },
  };
}
