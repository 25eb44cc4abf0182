import { execCapture, inspectContainer, inspectImage } from "../../../docker";
import { AppError } from "../../../errors";
import { parseDbCheck } from "../../instances/elabftw-console";
import { healthFromInside } from "../../instances/observe";
import type { UpgradeEnv, UpgradeStepBody } from "./env";
import { msg } from "../../../i18n/message";

export function verifyStep({ plan, newImage, instance, webClient, console }: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const client = await webClient();
      const web = await inspectContainer(client, (await instance()).webContainerName);
      const health = await healthFromInside(client, web);
      if (health.verdict !== "ok") throw new AppError("unavailable", msg`After the migration: ${health.detail}.`);
      // A container that runs as a user (6.0) must be able to write its data: an upload or an export
      // would fail for users long after a green upgrade. Asked as that user, inside the container.
      const layout = ctx.result("recreate").layout;
      if (layout) {
        const dirs = layout.move.mounts.map((m) => m.target);
        const writable = await execCapture(client, web.id, {
          cmd: ["sh", "-c", 'for d; do [ -w "$d" ] || { echo "$d"; exit 1; }; done', "sh", ...dirs],
        });
        if (writable.exitCode !== 0) {
          throw new AppError(
            "unavailable",
            msg`eLabFTW runs as ${layout.move.runAs} but cannot write to ${writable.stdout.trim() || dirs.join(", ")}.`,
            { hint: "The upgrade is rolled back. Check that directory's owner and mode on the host, then try again." },
          );
        }
        await ctx.log(`eLabFTW, as ${layout.move.runAs}, can write to ${dirs.join(", ")}.`);
      }
      const check = parseDbCheck((await console(client, web.id, "db:check")).stdout);
      if (!check?.upToDate || check.current !== check.required) {
        throw new AppError("unavailable", "After the migration the schema is not the one the image requires.");
      }
      const pulled = ctx.result("pull");
      const image = await inspectImage(client, web.imageId);
      if (image.id !== pulled.imageId) {
        throw new AppError(
          "unavailable",
          msg`The running container is on ${image.id.slice(7, 19)}, not the pulled ${newImage}.`,
        );
      }
      await ctx.log(`Verified: healthy, schema ${check.current}, eLabFTW ${image.elabftwVersion ?? plan.toTag}.`);
      await ctx.progress(90, "Verified");
      return { schema: check.current, version: image.elabftwVersion ?? plan.toTag };
    },
  };
}
