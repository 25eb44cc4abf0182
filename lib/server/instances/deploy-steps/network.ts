import { createNetwork, DockerError, removeNetwork } from "../../../docker";
import { MANAGED_LABEL } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function networkStep({ plan, web }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      await ctx.intent({ create: plan.network, host: plan.webHostName });
      await createNetwork(await web(), plan.network, {
        labels: { [MANAGED_LABEL]: "true", "net.paillasse.instance": plan.name },
      });
      await ctx.log(`Created network ${plan.network} on ${plan.webHostName}.`);
    },
    async compensate(ctx) {
      try {
        await removeNetwork(await web(), plan.network);
        await ctx.log(`Removed network ${plan.network}.`);
      } catch (error) {
        if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
      }
    },
  };
}
