import { inspectContainer, stopContainer } from "../../../docker";
import { backupPaths } from "../../../env";
import { AppError } from "../../../errors";
import { openPoint } from "../../backups/any-point";
import { hashFile, openEncryptedFile } from "../../backups/encrypted-file";
import { loadBackupIdentity } from "../../backups/identity";
import { recreateAndLoadDump, target } from "../../backups/restore-target";
import { dbUpdateSucceeded, describeConsoleFailure, parseDbCheck } from "../../instances/elabftw-console";
import type { UpgradeEnv, UpgradeStepBody, Recreated } from "./env";
import { msg } from "../../../i18n/message";
import { requiredSchemaFor } from "../../instances/elabftw-releases";

export function migrateStep({
  db,
  ring,
  plan,
  options,
  instance,
  webClient,
  console,
  ensureDatabaseRunning,
  newContainerOf,
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
      if (check.upToDate) {
        await ctx.intent({ migration: "none", from: check.current, to: check.current });
        await ctx.log(`Schema ${check.current}: nothing to migrate.`);
        // Healthy and in sync since the health check: real pages were served from then on.
        return { from: check.current, to: check.current, servingAt: ctx.result("wait").healthyAt };
      }
      const updatedAt = new Date();
      for (const line of update.stdout.split("\n").filter((l) => l.trim())) await ctx.log(`db:update: ${line}`);
      for (const line of update.stderr
        .split("\n")
        .filter((l) => l.trim())
        .slice(-20)) {
        await ctx.log(`db:update: ${line}`, "warn");
      }
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
      if ((await ctx.intentOf<{ migration: string }>("migrate")).migration !== "db:update") {
        await ctx.log("No migration ran: the database is as it was.");
        return;
      }
      const client = await webClient();
      const recreated = await ctx.intentOf<Recreated>("recreate");
      if (!recreated.name || !recreated.oldId) throw new Error("the journal does not say which container was swapped");
      await ensureDatabaseRunning(ctx);
      // Nothing may write to the database while it is restored.
      const fresh = await newContainerOf(client, recreated.name, recreated.oldId);
      if (fresh) await stopContainer(client, fresh.id, 10);
      const { backupId } = ctx.result("backup");
      const identity = await loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
      const final = recreated.finalDump;
      const finalIntact = final ? (await hashFile(final.path).catch(() => null))?.sha256 === final.sha256 : false;
      if (final && finalIntact) {
        await ctx.log("Restoring the database as it was at the stop (the dump taken inside the downtime).");
        await recreateAndLoadDump(
          await target(db, ring, plan.instanceId),
          {
            id: backupId,
            size: final.plainBytes,
            tables: Object.keys(final.tables).length,
            schema: final.schema,
            open: () => openEncryptedFile(final.path, [identity.identity]),
          },
          ctx,
        );
        return;
      }
      if (final) {
        await ctx.log(
          `The dump taken at the stop is missing or altered (${final.path}): the database comes back from the backup taken before the upgrade, without what was written after it.`,
          "warn",
        );
      }
      await ctx.log(`Restoring the database from the backup taken before the upgrade (${backupId}).`);
      // Encrypted files or a snapshot in a repository: the restore point says how its dump is read.
      const point = await openPoint(db, ring, backupId, async () => identity.identity);
      await recreateAndLoadDump(await target(db, ring, plan.instanceId), point.dump(), ctx);
    },
    compensateOnFailure: true,
  };
}
