import { seal } from "../../../crypto";
import { instanceSecretsContext } from "../instance-secrets";
import { readSecrets } from "./support";
import type { DeployEnv, DeployStepBody } from "./env";

export function registerStep({ db, ring, operationId, plan, dbPlan }: DeployEnv): DeployStepBody {
  return {
    async run(ctx) {
      const secrets = await readSecrets(db, ring, operationId);
      const webResult = ctx.result("web");
      const schema = ctx.resultIfAny("install")?.schema ?? null;
      const instance = await db.$transaction(async (tx) => {
        const created = await tx.instance.create({
          data: {
            name: plan.name,
            unitId: plan.unitId,
            webHostId: plan.webHostId,
            webContainerName: plan.webContainer,
            webContainerId: webResult.containerId,
            databasePlacement: dbPlan.placement,
            databaseHostId: dbPlan.placement === "container" ? dbPlan.hostId : null,
            databaseContainerName: dbPlan.placement === "container" ? dbPlan.container : null,
            databaseAddress: dbPlan.placement === "external" ? dbPlan.address : null,
            databasePort: dbPlan.port,
            databaseName: dbPlan.name,
            databaseUser: dbPlan.user,
            databaseTls: false,
            imageRepository: plan.repository,
            imageTag: plan.version,
            elabftwVersion: plan.version,
            schemaVersion: schema,
            siteUrl: plan.siteUrl,
            uploadsKind: plan.uploads.kind,
            uploadsSource: plan.uploads.source,
            state: "running",
            health: "ok",
          },
        });
        await tx.instance.update({
          where: { id: created.id },
          data: { secretsEnc: seal(ring, JSON.stringify(secrets), instanceSecretsContext(created.id)) },
        });
        await tx.operation.update({ where: { id: operationId }, data: { instanceId: created.id, secretsEnc: null } });
        return created;
      });
      await ctx.log(`Added ${plan.name} to the inventory under ${plan.unitCode}.`);
      return { instanceId: instance.id, registerUrl: `${plan.siteUrl}/register.php` };
    },
    async compensate() {
      await db.instance.deleteMany({
        where: { name: plan.name, webHostId: plan.webHostId, webContainerName: plan.webContainer },
      });
    },
  };
}
