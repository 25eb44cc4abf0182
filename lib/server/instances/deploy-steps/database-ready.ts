import { inspectContainer } from "../../../docker";
import { AppError } from "../../../errors";
import { waitFor } from "../../operations/wait-for";
import { msg } from "../../../i18n/message";
import { UNDONE } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function databaseReadyStep({ options, dbPlan, dbClient }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      if (dbPlan.placement === "external") {
        await ctx.log("External database: checked when the schema is created.");
        return;
      }
      const d = await dbClient();
      await waitFor(
        `${dbPlan.container} becoming healthy`,
        {
          timeoutMs: options.databaseTimeoutMs ?? 180_000,
          hint: UNDONE,
          onWait: (elapsed, detail) =>
            ctx.progress(45 + Math.min(10, elapsed / 10_000), `Waiting for the database (${detail})`),
        },
        async () => {
          const c = await inspectContainer(d, dbPlan.container);
          if (!c.state.running) {
            throw new AppError("unavailable", msg`${dbPlan.container} stopped (exit code ${c.state.exitCode}).`, {
              hint: msg`See its logs on the host. ${UNDONE}`,
            });
          }
          return c.state.health === "healthy"
            ? { done: true as const, value: null }
            : { done: false as const, detail: `health is ${c.state.health}` };
        },
      );
      await ctx.log(`${dbPlan.container} is healthy.`);
      await ctx.progress(55);
    },
  };
}
