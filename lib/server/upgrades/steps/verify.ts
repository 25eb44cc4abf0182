import { inspectContainer, inspectImage } from "../../../docker";
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
