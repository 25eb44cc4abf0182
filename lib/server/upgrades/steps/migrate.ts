import { inspectContainer } from "../../../docker";
import { AppError } from "../../../errors";
import { dbUpdateSucceeded, describeConsoleFailure, parseDbCheck } from "../../instances/elabftw-console";
import type { UpgradeEnv, UpgradeStepBody } from "./env";
import { msg } from "../../../i18n/message";
import { requiredSchemaFor } from "../../instances/elabftw-releases";

export function migrateStep({
  plan,
  instance,
  webClient,
  console,
  restoreDatabaseAtStop,
}: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const client = await webClient();
      const web = await inspectContainer(client, (await instance()).webContainerName);
      // db:update runs db:check itself and prints its report first (UpdateDatabase.php): no separate
      // db:check before it, one PHP start less inside the downtime. Journaled before it runs: from here
      // on a rollback restores the database.
      const from = (ctx.result("preflight") as { schema?: number } | undefined)?.schema ?? null;
      const to = requiredSchemaFor(plan.toTag);
      await ctx.intent({ migration: "db:update", from, to });
      await ctx.log(`Running bin/console db:update (schema ${from ?? "?"} → ${to ?? "as the image requires"}).`);
      await ctx.progress(70, "Migrating the schema");
      const update = await console(client, web.id, "db:update");
      const check = parseDbCheck(update.stdout);
      if (!check) {
        throw new AppError("unavailable", msg`${describeConsoleFailure("bin/console db:update", update)}.`, {
          hint: "The database is put back as it was at the stop, and the old version started again.",
        });
      }
      if (check.ahead) {
        throw new AppError(
          "precondition_failed",
          msg`The database (schema ${check.current}) is ahead of ${plan.toTag} (${check.required}).`,
        );
      }
      if (check.upToDate && ctx.result("recreate").autoDbUpdate && from !== null && check.current !== from) {
        // The image's entrypoint migrated as it started: a rollback puts the database back all the same.
        await ctx.intent({ migration: "entrypoint", from, to: check.current });
        await ctx.log(
          `Schema ${from} → ${check.current}: the new container migrated it as it started (AUTO_DB_UPDATE=true).`,
        );
        return { from, to: check.current, servingAt: ctx.result("wait").healthyAt };
      }
      if (check.upToDate) {
        await ctx.intent({ migration: "none", from: check.current, to: check.current });
        await ctx.log(`Schema ${check.current}: nothing to migrate.`);
        // Healthy and in sync since the health check: real pages were served from then on.
        return { from: check.current, to: check.current, servingAt: ctx.result("wait").healthyAt };
      }
      const updatedAt = new Date();
      await ctx.logLines(
        update.stdout
          .split("\n")
          .filter((l) => l.trim())
          .map((line) => `db:update: ${line}`),
      );
      await ctx.logLines(
        update.stderr
          .split("\n")
          .filter((l) => l.trim())
          .slice(-20)
          .map((line) => `db:update: ${line}`),
        "warn",
      );
      if (!dbUpdateSucceeded(update.exitCode ?? -1, update.stdout, plan.toTag)) {
        throw new AppError("unavailable", msg`${describeConsoleFailure("bin/console db:update", update)}.`, {
          hint: "The database is put back as it was at the stop, and the old version started again.",
        });
      }
      const after = parseDbCheck((await console(client, web.id, "db:check")).stdout);
      if (!after?.upToDate) {
        throw new AppError(
          "unavailable",
          msg`After db:update the schema is still not in sync (${after ? `current ${after.current}, required ${after.required}` : "no readable db:check"}).`,
          { hint: "The database is put back as it was at the stop, and the old version started again." },
        );
      }
      await ctx.log(`Schema ${after.current}: “No upgrade required.”`);
      await ctx.progress(85, "Schema migrated");
      // Real pages (not "Almost there!") from the moment db:update ended, as db:check confirmed.
      return { from: check.current, to: after.current, servingAt: updatedAt.toISOString() };
    },
    // The migrations run without a transaction: if they may have started, the database comes back from the backup.
    async compensate(ctx) {
      const { migration } = await ctx.intentOf<{ migration: string }>("migrate");
      if (migration !== "db:update" && migration !== "entrypoint") {
        await ctx.log("No migration ran: the database is as it was.");
        return;
      }
      await restoreDatabaseAtStop(ctx);
    },
    compensateOnFailure: true,
  };
}
