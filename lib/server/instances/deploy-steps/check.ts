import { listContainers, listNetworks, listVolumes } from "../../../docker";
import { AppError } from "../../../errors";
import { asMessage, msg, type Message } from "../../../i18n/message";
import type { DeployEnv, DeployStepBody } from "./env";

export function checkStep({ plan, web, dbPlan, dbClient }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      await ctx.progress(2, "Checking the hosts");
      const w = await web();
      const refuse = (message: Message, hint: string) => {
        throw new AppError("conflict", message, { hint: msg`${asMessage(hint)} Nothing was created.` });
      };
      const [containers, networks, volumes] = await Promise.all([
        listContainers(w, { all: true }),
        listNetworks(w),
        listVolumes(w),
      ]);
      if (containers.some((c) => c.name === plan.webContainer)) {
        refuse(
          msg`A container named ${plan.webContainer} already exists on ${plan.webHostName}.`,
          "Choose another name.",
        );
      }
      if (networks.some((n) => n.name === plan.network)) {
        refuse(msg`A network named ${plan.network} already exists on ${plan.webHostName}.`, "Choose another name.");
      }
      if (plan.uploads.kind === "volume" && volumes.some((v) => v.name === plan.uploads.source)) {
        refuse(
          msg`A volume named ${plan.uploads.source} already exists on ${plan.webHostName} and may hold someone's files.`,
          "Choose another uploads volume name.",
        );
      }
      const clash = containers.find((c) =>
        c.ports.some(
          (p) =>
            p.publicPort === plan.publish.port &&
            (!plan.publish.address || !p.ip || ["0.0.0.0", "::"].includes(p.ip) || p.ip === plan.publish.address),
        ),
      );
      if (clash) {
        refuse(
          msg`Port ${plan.publish.port} is already published by ${clash.name} on ${plan.webHostName}.`,
          "Choose another published port.",
        );
      }
      if (dbPlan.placement === "container") {
        const d = await dbClient();
        const [dbContainers, dbVolumes] = await Promise.all([listContainers(d, { all: true }), listVolumes(d)]);
        if (dbContainers.some((c) => c.name === dbPlan.container)) {
          refuse(
            msg`A container named ${dbPlan.container} already exists on ${dbPlan.hostName}.`,
            "Choose another name.",
          );
        }
        if (dbVolumes.some((v) => v.name === dbPlan.volume)) {
          refuse(
            msg`A volume named ${dbPlan.volume} already exists on ${dbPlan.hostName} and may hold a database.`,
            "Choose another name, or remove that volume after checking it.",
          );
        }
      }
      await ctx.log(
        `Names are free on ${plan.webHostName}${dbPlan.placement === "container" && !dbPlan.sameHost ? ` and ${dbPlan.hostName}` : ""}.`,
      );
    },
  };
}
