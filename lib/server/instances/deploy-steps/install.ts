import { inspectContainer, execCapture } from "../../../docker";
import { AppError } from "../../../errors";
import { dbCheck } from "../observe";
import { englishText, msg } from "../../../i18n/message";
import type { DeployEnv, DeployStepBody } from "./env";

export function installStep({ plan, web, dbPlan }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      const w = await web();
      await ctx.log("Running bin/init db:install…");
      const result = await execCapture(w, plan.webContainer, { cmd: ["bin/init", "db:install"] });
      for (const line of `${result.stdout}\n${result.stderr}`.split("\n").filter((l) => l.trim())) {
        await ctx.log(line.trim());
      }
      const created = /Database structure created/.test(result.stdout);
      const present = /Database structure already present/.test(result.stdout);
      if (result.exitCode !== 0 || (!created && !present)) {
        throw new AppError(
          "unavailable",
          msg`bin/init db:install failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().split("\n").filter(Boolean).at(-1) ?? "no output"}.`,
          { hint: "Check that the database accepts this user and password from the web host." },
        );
      }
      if (present && dbPlan.placement === "external") {
        throw new AppError("conflict", "The external database already holds an eLabFTW schema.", {
          hint: "A deployment needs an empty database. To bring an existing installation in, adopt it (host page → Discover) or restore a backup.",
        });
      }
      const schema = await dbCheck(w, await inspectContainer(w, plan.webContainer));
      await ctx.log(`bin/console db:check: ${englishText(schema.detail)}.`);
      if (!("upToDate" in schema) || !schema.upToDate) {
        throw new AppError("internal", msg`After db:install, ${schema.detail}.`, {
          hint: "The image and its database disagree; see the log.",
        });
      }
      await ctx.progress(80);
      return { schema: schema.current };
    },
  };
}
