import { createContainer, createVolume, startContainer, type ContainerSpec } from "../../../docker";
import { MYSQL_IMAGE } from "../deploy-plan";
import { labelsFor, readSecrets, removeIfPresent, removeVolumeIfPresent } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function databaseStep({ db, ring, operationId, plan, dbPlan, dbClient }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      if (dbPlan.placement === "external") {
        await ctx.log(`External database ${dbPlan.address}:${dbPlan.port}: nothing to create.`);
        return;
      }
      const secrets = await readSecrets(db, ring, operationId);
      const d = await dbClient();
      await ctx.intent({ create: [dbPlan.volume, dbPlan.container], host: dbPlan.hostName });
      try {
        await createVolume(d, dbPlan.volume, labelsFor(plan, operationId, "database"));
        const spec: ContainerSpec = {
          name: dbPlan.container,
          image: MYSQL_IMAGE,
          env: {
            MYSQL_ROOT_PASSWORD: secrets.mysqlRootPassword!,
            MYSQL_DATABASE: dbPlan.name,
            MYSQL_USER: dbPlan.user,
            MYSQL_PASSWORD: secrets.dbPassword!,
            TZ: plan.timeZone,
          },
          labels: labelsFor(plan, operationId, "database"),
          healthcheck: {
            test: ["CMD-SHELL", 'mysql --user=$MYSQL_USER --password=$MYSQL_PASSWORD --execute "SHOW DATABASES;"'],
            intervalMs: 5_000,
            timeoutMs: 5_000,
            retries: 12,
          },
          volumes: { [dbPlan.volume]: "/var/lib/mysql" },
          restartPolicy: "unless-stopped",
          securityOpt: ["no-new-privileges:true"],
          ...(dbPlan.sameHost
            ? { network: { name: plan.network, aliases: ["mysql"] } }
            : {
                exposedPorts: ["3306/tcp"],
                portBindings: { "3306/tcp": [{ hostIp: dbPlan.address, hostPort: String(dbPlan.port) }] },
              }),
        };
        await createContainer(d, spec);
        await startContainer(d, dbPlan.container);
      } catch (error) {
        await removeIfPresent(d, ctx, dbPlan.container);
        await removeVolumeIfPresent(d, ctx, dbPlan.volume);
        throw error;
      }
      await ctx.log(
        `Started ${dbPlan.container} (${MYSQL_IMAGE}) on ${dbPlan.hostName}, data in volume ${dbPlan.volume}.`,
      );
      await ctx.progress(45);
    },
    async compensate(ctx) {
      if (dbPlan.placement === "external") return;
      const d = await dbClient();
      await removeIfPresent(d, ctx, dbPlan.container);
      await removeVolumeIfPresent(d, ctx, dbPlan.volume);
    },
  };
}
