import { rm } from "node:fs/promises";
import { inspectContainer, removeContainer } from "../../../docker";
import { composeLabelsOf, syncComposeFile } from "../compose-sync";
import { dropOwnershipRecord } from "../ownership";
import type { UpgradeEnv, UpgradeStepBody } from "./env";

export function commitStep({ db, plan, options, newImage, webClient }: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const client = await webClient();
      const recreated = ctx.result("recreate");
      const verified = ctx.result("verify");
      // Downtime as users live it: from the stop until real pages again (healthy, and the schema in sync).
      // (A journal written before this figure existed has only the health check's time.)
      const servingAt = ctx.result("migrate").servingAt ?? ctx.result("wait").healthyAt;
      const downtimeMs = new Date(servingAt).getTime() - new Date(recreated.stoppedAt).getTime();
      if (!options.keepOldContainer) {
        const old = await inspectContainer(client, recreated.oldId).catch(() => null);
        if (old) await removeContainer(client, recreated.oldId, { force: true });
        await ctx.log(`Removed the old container ${recreated.keptName}.`);
      } else {
        await ctx.log(`Kept the old container as ${recreated.keptName} (stopped, restart policy no).`);
      }
      if (recreated.layout) {
        await dropOwnershipRecord(client, recreated.layout.record);
        await ctx.log(
          `Removed the record of the data's former owners (${recreated.layout.record}): the new layout stands.`,
        );
      }
      await db.instance.update({
        where: { id: plan.instanceId },
        data: { imageTag: plan.toTag, elabftwVersion: verified.version },
      });
      // Started by docker compose: its file must name the new tag, or a later `docker compose up` downgrades.
      const current = await inspectContainer(client, recreated.name);
      const compose = composeLabelsOf(current.labels);
      let composeFile: string | null = null;
      if (compose) {
        try {
          const stamp = new Date()
            .toISOString()
            .replace(/\.\d+Z$/, "Z")
            .replace(/[-:]/g, "");
          const synced = await syncComposeFile(client, newImage, compose, newImage, stamp, recreated.layout?.move);
          if (synced.file !== null) {
            composeFile = synced.file;
            await ctx.log(`Compose file ${synced.file} now says ${newImage}; the previous copy is ${synced.backup}.`);
          } else {
            await ctx.log(`Compose file not changed: ${synced.reason}.`, "warn");
          }
        } catch (error) {
          // The upgrade itself is done and verified: say what to do rather than undo it.
          await ctx.log(
            `The compose file could not be updated (${(error as Error).message}): set the image of service ${compose.service} to ${newImage} in it by hand.`,
            "warn",
          );
        }
      }
      if (recreated.finalDump) {
        await rm(recreated.finalDump.path, { force: true });
        await ctx.log("Removed the dump taken at the stop (the upgrade stands; the verified backup stays).");
      }
      const { backupId } = ctx.result("backup");
      await ctx.log(
        `Upgraded to ${plan.toTag}: downtime ${(downtimeMs / 1000).toFixed(1)} s (from the stop until eLabFTW served real pages: healthy, schema in sync).`,
      );
      return { downtimeMs, backupId, version: verified.version, schema: verified.schema, composeFile };
    },
  };
}
