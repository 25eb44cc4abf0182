import { imageExists, inspectImage, type DockerClient } from "../../../docker";
import { AppError } from "../../../errors";
import { pullWithProgress } from "../../operations/pull-progress";
import { MYSQL_IMAGE } from "../deploy-plan";
import { msg } from "../../../i18n/message";
import type { DeployEnv, DeployStepBody } from "./env";

export function pullStep({ plan, web, dbPlan, dbClient }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      const pulls: { client: DockerClient; host: string; image: string; from: number; to: number }[] = [
        {
          client: await web(),
          host: plan.webHostName,
          image: plan.image,
          from: 5,
          to: dbPlan.placement === "container" ? 25 : 35,
        },
      ];
      if (dbPlan.placement === "container")
        pulls.push({ client: await dbClient(), host: dbPlan.hostName, image: MYSQL_IMAGE, from: 25, to: 35 });
      for (const p of pulls) {
        if (await imageExists(p.client, p.image)) {
          await ctx.log(`${p.image} is already on ${p.host}.`);
          continue;
        }
        await ctx.intent({ pulling: p.image, host: p.host });
        await ctx.log(`Downloading ${p.image} on ${p.host}…`);
        await pullWithProgress(p.client, p.image, ctx, {
          from: p.from,
          to: p.to,
          label: `Downloading ${p.image}`,
        });
        await ctx.log(`Downloaded ${p.image} on ${p.host}.`);
      }
      const image = await inspectImage(await web(), plan.image);
      if (image.elabftwVersion && image.elabftwVersion !== plan.version) {
        throw new AppError(
          "conflict",
          msg`The image ${plan.image} says it is eLabFTW ${image.elabftwVersion}, not ${plan.version}.`,
          { hint: "The registry's tag does not match its content; choose another version or check the registry." },
        );
      }
      await ctx.progress(35, "Images ready");
      return { imageId: image.id };
    },
  };
}
