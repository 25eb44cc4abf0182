import { inspectImage } from "../../../docker";
import { pullWithProgress } from "../../operations/pull-progress";
import type { UpgradeEnv, UpgradeStepBody } from "./env";

export function pullStep({ plan, newImage, webClient }: UpgradeEnv): UpgradeStepBody {
  return {
    async run(ctx) {
      const client = await webClient();
      await ctx.intent({ pull: newImage });
      await pullWithProgress(client, newImage, ctx, { from: 40, to: 55, label: `Pulling ${newImage}` });
      const image = await inspectImage(client, newImage);
      if (image.elabftwVersion && image.elabftwVersion !== plan.toTag) {
        await ctx.log(`${newImage} is labelled eLabFTW ${image.elabftwVersion}.`, "warn");
      }
      await ctx.log(`Pulled ${newImage} (${image.id.slice(7, 19)}).`);
      await ctx.progress(55, "New image pulled");
      return { imageId: image.id, version: image.elabftwVersion };
    },
  };
}
