"use server";

import { revalidatePath } from "next/cache";
import { authorize, confirmStepUp, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { adoptInstance, discoverOnHost } from "@/lib/server/instances/discover-instances";
import type { InstanceProposal } from "@/lib/server/instances/discovery";
import { keyRing } from "@/lib/server/secrets";
import { createUnit } from "@/lib/server/units/manage-units";
import { AppError } from "@/lib/errors";
import { requireVisibleInstance } from "@/lib/server/instances/find-instances";
import { addInstanceByHand } from "@/lib/server/instances/add-instance";
import { observeInstance, type Observation } from "@/lib/server/instances/observe";
import { setInstanceApiKey } from "@/lib/server/instances/api-key";
import { refreshTagCache, registryConfig } from "@/lib/server/registry/tag-cache";
import { ELABFTW_REPOSITORY, planDeploy, type DeployPlan } from "@/lib/server/instances/deploy-plan";
import { assertDeploySecrets, requestDeploy } from "@/lib/server/instances/deploy";
import { enqueueOperation } from "@/lib/server/jobs/queue";
import { requestUpgrade } from "@/lib/server/upgrades/upgrade";
import { isUuid } from "@/lib/server/ids";
import { idArgument } from "@/lib/server/action-input";
import { removeInstanceFromInventory, rereadCredentials } from "@/lib/server/instances/repair-instance";

/** Discovery and adoption: operators and admins. */

export async function discoverAction(hostId: string): Promise<ActionResult<InstanceProposal[]>> {
  return runAction(async () => {
    await authorize("instances.manage", "instance.discover");
    return discoverOnHost(db(), keyRing(), idArgument(hostId, "host"));
  });
}

export async function adoptAction(input: {
  hostId: string;
  containerId: string;
  unitId: string;
  name: string;
}): Promise<ActionResult<{ id: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "instance.adopt");
    const id = await adoptInstance(db(), keyRing(), operator, input, await requestContext());
    // Its versions at once, rather than at the next hourly refresh (a registry failure is stored, not thrown).
    const { imageRepository } = await db().instance.findUniqueOrThrow({
      where: { id },
      select: { imageRepository: true },
    });
    await refreshTagCache(db(), registryConfig(), [imageRepository]);
    revalidatePath("/instances");
    revalidatePath("/");
    return { id };
  });
}

export async function createUnitAction(input: {
  code: string;
  name: string;
}): Promise<ActionResult<{ id: string; code: string; name: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "unit.create");
    return createUnit(db(), operator, input, await requestContext());
  });
}

/** Look at an instance now (containers, health, schema, uploads): exec in its containers, so staff only. */
export async function observeAction(instanceId: string): Promise<ActionResult<Observation>> {
  return runAction(async () => {
    const operator = await authorize("instances.inspect", "instance.observe");
    await requireVisibleInstance(db(), operator, instanceId);
    const observation = await observeInstance(db(), keyRing(), instanceId);
    revalidatePath(`/instances/${instanceId}`);
    return observation;
  });
}

/** Ask the registry now for the versions of this instance's image. */
export async function checkUpdatesAction(instanceId: string): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "instance.check_updates");
    const instance = await requireVisibleInstance(db(), operator, instanceId);
    const cache = await refreshTagCache(db(), registryConfig(), [instance.imageRepository]);
    const result = cache[instance.imageRepository];
    if (result?.error) throw new AppError("unavailable", result.error);
    revalidatePath(`/instances/${instanceId}`);
    return null;
  });
}

/** Add an instance by hand (unusual layouts): the web container must exist on the chosen host. */
export async function addInstanceAction(input: Record<string, unknown>): Promise<ActionResult<{ id: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "instance.add");
    const id = await addInstanceByHand(db(), keyRing(), operator, input, await requestContext());
    const { imageRepository } = await db().instance.findUniqueOrThrow({
      where: { id },
      select: { imageRepository: true },
    });
    await refreshTagCache(db(), registryConfig(), [imageRepository]);
    revalidatePath("/instances");
    return { id };
  });
}

/** Check the wizard's answers against the inventory (nothing is created): the plan to review. */
export async function checkDeployAction(params: Record<string, unknown>): Promise<ActionResult<DeployPlan>> {
  return runAction(async () => {
    await authorize("instances.deploy", "instance.deploy_check");
    return planDeploy(db(), params);
  });
}

/**
 * Deploy a new instance: the answers are checked again, the key touch must be
 * for these very answers, then the operation is queued and runs in the
 * background; the browser follows it on the operation's page.
 */
export async function deployAction(
  params: Record<string, unknown>,
  secrets: { databasePassword?: string },
  stepUp: string,
): Promise<ActionResult<{ operationId: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.deploy", "instance.deploy");
    const plan = await planDeploy(db(), params);
    const password = secrets?.databasePassword || undefined;
    assertDeploySecrets(plan, password);
    const { securityKeyId } = await confirmStepUp(operator, "instance.deploy", params, stepUp);
    const operationId = await requestDeploy(
      db(),
      keyRing(),
      { ...operator, securityKeyId },
      plan,
      password,
      await requestContext(),
    );
    await enqueueOperation(db(), operationId);
    revalidatePath("/operations");
    return { operationId };
  });
}

/** Ask the registry now for the eLabFTW versions it offers (for the deploy wizard). */
export async function checkRegistryAction(): Promise<ActionResult<null>> {
  return runAction(async () => {
    await authorize("instances.deploy", "instance.check_registry");
    const cache = await refreshTagCache(db(), registryConfig(), [ELABFTW_REPOSITORY]);
    const result = cache[ELABFTW_REPOSITORY];
    if (result?.error) throw new AppError("unavailable", result.error);
    revalidatePath("/instances/deploy");
    return null;
  });
}

/** Set (or, with null, remove) the eLabFTW API key used for usage figures; a refused key is not kept. */
export async function setApiKeyAction(instanceId: string, apiKey: string | null): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "instance.api_key");
    await requireVisibleInstance(db(), operator, instanceId);
    await setInstanceApiKey(db(), keyRing(), operator, instanceId, apiKey, await requestContext());
    await observeInstance(db(), keyRing(), instanceId);
    revalidatePath(`/instances/${instanceId}`);
    return null;
  });
}

/**
 * Upgrade an instance to a newer eLabFTW version (a key touch for this very
 * instance and version): pre-flight, verified backup, pull, swap, migration,
 * verification; any failure puts the old version back.
 */
export async function upgradeAction(
  params: { instanceId: string; version: string },
  stepUp: string,
): Promise<ActionResult<{ operationId: string }>> {
  return runAction(async () => {
    const operator = await authorize("instances.upgrade", "instance.upgrade");
    const instanceId = instanceIdOf(params);
    await requireVisibleInstance(db(), operator, instanceId);
    const { securityKeyId } = await confirmStepUp(operator, "instance.upgrade", params, stepUp);
    const operationId = await requestUpgrade(
      db(),
      { ...operator, securityKeyId },
      { instanceId, version: params.version },
      await requestContext(),
    );
    await enqueueOperation(db(), operationId);
    revalidatePath(`/instances/${instanceId}`);
    return { operationId };
  });
}

function instanceIdOf(params: { instanceId?: unknown } | null | undefined): string {
  const instanceId = params?.instanceId;
  if (typeof instanceId !== "string" || !isUuid(instanceId)) {
    throw new AppError("bad_input", "This is not an instance of the panel.", { hint: "Reload the page." });
  }
  return instanceId;
}

/** After an out-of-band re-install: read the passwords, secret key and container identity again (a key touch). */
export async function rereadCredentialsAction(
  params: { instanceId: string },
  stepUp: string,
): Promise<ActionResult<{ changed: string[]; containerChanged: boolean }>> {
  return runAction(async () => {
    const operator = await authorize("instances.manage", "instance.reread_credentials");
    const instanceId = instanceIdOf(params);
    await requireVisibleInstance(db(), operator, instanceId);
    const { securityKeyId } = await confirmStepUp(operator, "instance.reread_credentials", params, stepUp);
    const result = await rereadCredentials(
      db(),
      keyRing(),
      { ...operator, securityKeyId },
      instanceId,
      await requestContext(),
    );
    revalidatePath(`/instances/${instanceId}`);
    return result;
  });
}

/** Take an instance out of the inventory: its containers and its restore points' files stay (a key touch). */
export async function removeInstanceAction(
  params: { instanceId: string },
  stepUp: string,
): Promise<ActionResult<{ backupsKept: number }>> {
  return runAction(async () => {
    const operator = await authorize("instances.delete", "instance.delete");
    const instanceId = instanceIdOf(params);
    await requireVisibleInstance(db(), operator, instanceId);
    const { securityKeyId } = await confirmStepUp(operator, "instance.delete", params, stepUp);
    const { backupsKept } = await removeInstanceFromInventory(
      db(),
      { ...operator, securityKeyId },
      instanceId,
      await requestContext(),
    );
    revalidatePath("/instances");
    revalidatePath("/");
    return { backupsKept };
  });
}
