"use server";

import { z } from "zod";
import { db } from "@/lib/server/db/web";
import { defineAction, defineTouchAction, idOf } from "@/lib/server/define-action";
import { adoptInstance, discoverOnHost } from "@/lib/server/instances/discover-instances";
import { keyRing } from "@/lib/server/secrets";
import { createUnit } from "@/lib/server/units/manage-units";
import { AppError } from "@/lib/errors";
import { requireVisibleInstance } from "@/lib/server/instances/find-instances";
import { addInstanceByHand } from "@/lib/server/instances/add-instance";
import { observeInstance } from "@/lib/server/instances/observe";
import { setInstanceApiKey } from "@/lib/server/instances/api-key";
import { refreshTagCache, registryConfig } from "@/lib/server/registry/tag-cache";
import { ELABFTW_REPOSITORY, planDeploy } from "@/lib/server/instances/deploy-plan";
import { assertDeploySecrets, requestDeploy } from "@/lib/server/instances/deploy";
import { sendOperationJob } from "@/lib/server/jobs/queue";
import { requestUpgrade } from "@/lib/server/upgrades/upgrade";
import { requestDatabaseUpgrade } from "@/lib/server/upgrades/mysql-upgrade";
import { previewUpgradePlan } from "@/lib/server/upgrades/plan-preview";
import { localizeServerText } from "@/lib/i18n/server-messages";
import { requestLocale } from "@/lib/server/request-locale";
import { listRecoverable, requestRecover } from "@/lib/server/recover/recover-instance";
import { removeInstanceFromInventory, rereadCredentials } from "@/lib/server/instances/repair-instance";

/** Whatever a form sends: the use case parses it with its own schema and names the field that is wrong. */
const form = z.record(z.string(), z.unknown());
const bounded = (max: number) => z.string().max(max);

/** Its versions at once, rather than at the next hourly refresh (a registry failure is stored, not thrown). */
async function refreshVersionsOf(instanceId: string): Promise<void> {
  const { imageRepository } = await db().instance.findUniqueOrThrow({
    where: { id: instanceId },
    select: { imageRepository: true },
  });
  await refreshTagCache(db(), registryConfig(), [imageRepository]);
}

/** Discovery and adoption: operators and admins. */

export const discoverAction = defineAction(
  { name: "instance.discover", permission: "instances.manage", args: [idOf("host")] },
  async ({ args: [hostId] }) => discoverOnHost(db(), keyRing(), hostId),
);

export const adoptAction = defineAction(
  {
    name: "instance.adopt",
    permission: "instances.manage",
    args: [
      z.object({
        hostId: idOf("host"),
        containerId: bounded(200),
        unitId: bounded(100),
        name: bounded(200),
      }),
    ],
    revalidate: ["/instances", "/"],
  },
  async ({ operator, args: [input], context }) => {
    const id = await adoptInstance(db(), keyRing(), operator, input, context);
    await refreshVersionsOf(id);
    return { id };
  },
);

export const createUnitAction = defineAction(
  {
    name: "unit.create",
    permission: "instances.manage",
    args: [z.object({ code: bounded(200), name: bounded(500) })],
  },
  async ({ operator, args: [input], context }) => createUnit(db(), operator, input, context),
);

/** Look at an instance now (containers, health, schema, uploads): exec in its containers, so staff only. */
export const observeAction = defineAction(
  {
    name: "instance.observe",
    permission: "instances.inspect",
    args: [idOf("instance")],
    revalidate: ([id]) => [`/instances/${id}`],
  },
  async ({ operator, args: [instanceId] }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    return observeInstance(db(), keyRing(), instanceId);
  },
);

/** Ask the registry now for the versions of this instance's image. */
export const checkUpdatesAction = defineAction(
  {
    name: "instance.check_updates",
    permission: "instances.manage",
    args: [idOf("instance")],
    revalidate: ([id]) => [`/instances/${id}`],
  },
  async ({ operator, args: [instanceId] }) => {
    const instance = await requireVisibleInstance(db(), operator, instanceId);
    const cache = await refreshTagCache(db(), registryConfig(), [instance.imageRepository]);
    const result = cache[instance.imageRepository];
    if (result?.error) throw new AppError("unavailable", result.error);
    return null;
  },
);

/** Add an instance by hand (unusual layouts): the web container must exist on the chosen host. */
export const addInstanceAction = defineAction(
  { name: "instance.add", permission: "instances.manage", args: [form], revalidate: ["/instances"] },
  async ({ operator, args: [input], context }) => {
    const id = await addInstanceByHand(db(), keyRing(), operator, input, context);
    await refreshVersionsOf(id);
    return { id };
  },
);

/** Check the wizard's answers against the inventory (nothing is created): the plan to review. */
export const checkDeployAction = defineAction(
  { name: "instance.deploy_check", permission: "instances.deploy", args: [form] },
  async ({ args: [params] }) => planDeploy(db(), params),
);

/**
 * Deploy a new instance: the answers are checked again, the key touch must be
 * for these very answers, then the operation is queued and runs in the
 * background; the browser follows it on the operation's page.
 */
export const deployAction = defineTouchAction(
  {
    name: "instance.deploy",
    args: [form, z.object({ databasePassword: bounded(1000).optional() }).optional()],
    // The answers, never the secrets.
    stepUp: { params: ([params]) => params },
    revalidate: ["/operations"],
  },
  async ({ operator, args: [params, secrets], context }) => {
    const plan = await planDeploy(db(), params);
    const password = secrets?.databasePassword || undefined;
    assertDeploySecrets(plan, password);
    const operationId = await requestDeploy(db(), keyRing(), operator, plan, password, context, sendOperationJob);
    return { operationId };
  },
);

/** Ask the registry now for the eLabFTW versions it offers (for the deploy wizard). */
export const checkRegistryAction = defineAction(
  {
    name: "instance.check_registry",
    permission: "instances.deploy",
    args: [],
    revalidate: ["/instances/deploy"],
  },
  async () => {
    const cache = await refreshTagCache(db(), registryConfig(), [ELABFTW_REPOSITORY]);
    const result = cache[ELABFTW_REPOSITORY];
    if (result?.error) throw new AppError("unavailable", result.error);
    return null;
  },
);

/** Set (or, with null, remove) the eLabFTW API key used for usage figures; a refused key is not kept. */
export const setApiKeyAction = defineAction(
  {
    name: "instance.api_key",
    permission: "instances.manage",
    args: [idOf("instance"), bounded(1000).nullable()],
    revalidate: ([id]) => [`/instances/${id}`],
  },
  async ({ operator, args: [instanceId, apiKey], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    await setInstanceApiKey(db(), keyRing(), operator, instanceId, apiKey, context);
    await observeInstance(db(), keyRing(), instanceId);
    return null;
  },
);

/**
 * Upgrade an instance to a newer eLabFTW version (a key touch for this very
 * instance and version): pre-flight, verified backup, pull, swap, migration,
 * verification; any failure puts the old version back.
 */
export const upgradeAction = defineTouchAction(
  {
    name: "instance.upgrade",
    args: [z.object({ instanceId: idOf("instance"), version: bounded(128), runAs: bounded(32).optional() })],
    stepUp: { params: ([params]) => params },
    revalidate: ([{ instanceId }]) => [`/instances/${instanceId}`],
  },
  async ({ operator, args: [{ instanceId, version, runAs }], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    const operationId = await requestUpgrade(db(), operator, { instanceId, version, runAs }, context, sendOperationJob);
    return { operationId };
  },
);

/**
 * Move an instance's database container from MySQL 8.0 to 8.4 (a key touch for this very instance):
 * checks, verified backup, pull, accounts off mysql_native_password, switch, verification; any failure
 * puts 8.0 back on its data directory as it was.
 */
export const databaseUpgradeAction = defineTouchAction(
  {
    name: "instance.database_upgrade",
    args: [z.object({ instanceId: idOf("instance") })],
    stepUp: { params: ([params]) => params },
    revalidate: ([{ instanceId }]) => [`/instances/${instanceId}`],
  },
  async ({ operator, args: [{ instanceId }], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    const operationId = await requestDatabaseUpgrade(
      db(),
      keyRing(),
      operator,
      { instanceId },
      context,
      sendOperationJob,
    );
    return { operationId };
  },
);

/**
 * What an upgrade to this version would do to this instance, read live before the key touch (nothing
 * changes): the risk checks, the chown of a move to a user-run layout, the compose file's diff.
 */
export const previewUpgradeAction = defineAction(
  {
    name: "instance.upgrade_preview",
    permission: "instances.upgrade",
    args: [
      z.object({
        instanceId: idOf("instance"),
        version: z.string().regex(/^\d+\.\d+\.\d+$/),
        runAs: z
          .string()
          .regex(/^\d{1,10}:\d{1,10}$/)
          .optional(),
      }),
    ],
  },
  async ({ operator, args: [input] }) => {
    await requireVisibleInstance(db(), operator, input.instanceId);
    const preview = await previewUpgradePlan(db(), keyRing(), input);
    const locale = await requestLocale();
    return {
      ...preview,
      risks: preview.risks.map((r) => ({
        level: r.level,
        text: localizeServerText(r.text, locale),
        hint: localizeServerText(r.hint, locale),
      })),
    };
  },
);

/** After an out-of-band re-install: read the passwords, secret key and container identity again (a key touch). */
export const rereadCredentialsAction = defineTouchAction(
  {
    name: "instance.reread_credentials",
    args: [z.object({ instanceId: idOf("instance") })],
    stepUp: { params: ([params]) => params },
    revalidate: ([{ instanceId }]) => [`/instances/${instanceId}`],
  },
  async ({ operator, args: [{ instanceId }], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    return rereadCredentials(db(), keyRing(), operator, instanceId, context);
  },
);

/** Take an instance out of the inventory: its containers and its restore points' files stay (a key touch). */
export const removeInstanceAction = defineTouchAction(
  {
    name: "instance.delete",
    args: [z.object({ instanceId: idOf("instance") })],
    stepUp: { params: ([params]) => params },
    revalidate: ["/instances", "/"],
  },
  async ({ operator, args: [{ instanceId }], context }) => {
    await requireVisibleInstance(db(), operator, instanceId);
    const { backupsKept } = await removeInstanceFromInventory(db(), operator, instanceId, context);
    return { backupsKept };
  },
);

/** The restore points a repository holds (for the recovery form): read on a host of the panel. */
export const recoverablePointsAction = defineAction(
  { name: "instance.recover_list", permission: "instances.deploy", args: [idOf("repository"), idOf("host")] },
  async ({ args: [repositoryId, hostId] }) => listRecoverable(db(), keyRing(), repositoryId, hostId),
);

/**
 * Recover an instance on a host from one restore point: a key touch for these very answers, then
 * the operation runs in the background; the browser follows it on the operation's page.
 */
export const recoverAction = defineTouchAction(
  {
    name: "instance.recover",
    args: [form],
    stepUp: { params: ([params]) => params },
    revalidate: ["/operations", "/instances"],
  },
  async ({ operator, args: [params], context }) => ({
    operationId: await requestRecover(db(), operator, params, context, sendOperationJob),
  }),
);
