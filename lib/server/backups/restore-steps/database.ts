import type { RestoreEnv, RestoreStepBody } from "./env";

export function databaseStep({ chosen, putPart, putSafetyBack }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      await putPart("database", await chosen(), ctx);
      await ctx.progress(60);
    },
    compensate: putSafetyBack("database"),
    // A half-loaded database is worse than none: the safety backup's goes back even when this step fails.
    compensateOnFailure: true,
  };
}
