import type { RestoreEnv, RestoreStepBody } from "./env";

export function uploadsStep({ chosen, putPart, putSafetyBack }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      await putPart("uploads", await chosen(), ctx);
      await ctx.progress(80);
    },
    compensate: putSafetyBack("uploads"),
    compensateOnFailure: true,
  };
}
