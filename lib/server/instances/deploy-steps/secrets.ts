import { runToCompletion } from "../../../docker";
import { AppError } from "../../../errors";
import { msg } from "../../../i18n/message";
import { MANAGED_LABEL, parseGeneratedKey, password, readSecrets, storeSecrets } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function secretsStep({ db, ring, operationId, plan, web, dbPlan }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      await ctx.log(`Running bin/init tools:genkey in a throw-away ${plan.image} container…`);
      const result = await runToCompletion(
        await web(),
        {
          Image: plan.image,
          Cmd: ["bin/init", "tools:genkey"],
          Labels: { [MANAGED_LABEL]: "true", "net.paillasse.helper": "genkey" },
          NetworkDisabled: true,
          HostConfig: { NetworkMode: "none", RestartPolicy: { Name: "no" } },
        },
        { timeoutMs: 120_000, maxLines: 50 },
      );
      const secretKey = parseGeneratedKey(result.stdout);
      if (result.exitCode !== 0 || !secretKey) {
        throw new AppError(
          "internal",
          msg`bin/init tools:genkey did not print a key (exit ${result.exitCode})${result.stderr ? `: ${result.stderr.trim().split("\n")[0]}` : ""}.`,
          { hint: "Check that the image is a genuine eLabFTW image." },
        );
      }
      const existing = await readSecrets(db, ring, operationId);
      await storeSecrets(db, ring, operationId, {
        ...existing,
        secretKey,
        ...(dbPlan.placement === "container" ? { dbPassword: password(), mysqlRootPassword: password() } : {}),
      });
      await ctx.log(
        dbPlan.placement === "container"
          ? "Generated SECRET_KEY, the database password and the MySQL root password (stored encrypted, never shown)."
          : "Generated SECRET_KEY (stored encrypted, never shown).",
      );
      await ctx.progress(40);
      return {
        generated:
          dbPlan.placement === "container" ? ["SECRET_KEY", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD"] : ["SECRET_KEY"],
      };
    },
  };
}
