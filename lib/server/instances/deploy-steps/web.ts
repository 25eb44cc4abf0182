import { createContainer, createVolume, inspectContainer, startContainer, type ContainerSpec } from "../../../docker";
import { WEB_CAPABILITIES } from "../deploy-plan";
import { labelsFor, readSecrets, removeIfPresent, removeVolumeIfPresent } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function webStep({ db, ring, operationId, plan, web, dbPlan }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      const secrets = await readSecrets(db, ring, operationId);
      const w = await web();
      await ctx.intent({
        create: [plan.webContainer, ...(plan.uploads.kind === "volume" ? [plan.uploads.source] : [])],
        host: plan.webHostName,
      });
      try {
        if (plan.uploads.kind === "volume")
          await createVolume(w, plan.uploads.source, labelsFor(plan, operationId, "web"));
        const spec: ContainerSpec = {
          name: plan.webContainer,
          image: plan.image,
          env: {
            DB_HOST: dbPlan.address,
            DB_PORT: String(dbPlan.port),
            DB_NAME: dbPlan.name,
            DB_USER: dbPlan.user,
            DB_PASSWORD: secrets.dbPassword!,
            SECRET_KEY: secrets.secretKey!,
            SITE_URL: plan.siteUrl,
            SERVER_NAME: plan.serverName,
            DISABLE_HTTPS: plan.https ? "false" : "true",
            ENABLE_LETSENCRYPT: "false",
            PHP_TIMEZONE: plan.timeZone,
            TZ: plan.timeZone,
          },
          labels: labelsFor(plan, operationId, "web"),
          exposedPorts: ["443/tcp"],
          portBindings: { "443/tcp": [{ hostIp: plan.publish.address, hostPort: String(plan.publish.port) }] },
          ...(plan.uploads.kind === "bind"
            ? { binds: [`${plan.uploads.source}:/elabftw/uploads`] }
            : { volumes: { [plan.uploads.source]: "/elabftw/uploads" } }),
          restartPolicy: "unless-stopped",
          capDrop: ["ALL"],
          capAdd: WEB_CAPABILITIES,
          securityOpt: ["no-new-privileges:true"],
          network: { name: plan.network },
        };
        await createContainer(w, spec);
        await startContainer(w, plan.webContainer);
      } catch (error) {
        await removeIfPresent(w, ctx, plan.webContainer);
        if (plan.uploads.kind === "volume") await removeVolumeIfPresent(w, ctx, plan.uploads.source);
        throw error;
      }
      const started = await inspectContainer(w, plan.webContainer);
      await ctx.log(
        `Started ${plan.webContainer} (${plan.image}) on ${plan.webHostName}, port ${plan.publish.address || "all addresses"}:${plan.publish.port} → 443.`,
      );
      await ctx.progress(65);
      return { containerId: started.id };
    },
    async compensate(ctx) {
      const w = await web();
      await removeIfPresent(w, ctx, plan.webContainer);
      if (plan.uploads.kind === "volume") await removeVolumeIfPresent(w, ctx, plan.uploads.source);
    },
  };
}
