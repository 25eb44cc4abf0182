import type { Actor, RequestContext } from "../../kernel";
import semver from "semver";
import { z } from "zod";
import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent, requestedBy } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { defineOperation } from "../operations/define";
import { createOperation, type SendJob } from "../operations/journal";
import { type RegistryConfig } from "../registry/registry-client";
import { preflightStep } from "./steps/preflight";
import { backupStep } from "./steps/backup";
import { pullStep } from "./steps/pull";
import { recreateStep } from "./steps/recreate";
import { waitStep } from "./steps/wait";
import { migrateStep } from "./steps/migrate";
import { verifyStep } from "./steps/verify";
import { commitStep } from "./steps/commit";
import { upgradeEnv, type UpgradeStep, type UpgradeStepBody } from "./steps/env";
import { msg } from "../../i18n/message";
import { layoutChangeOf } from "./plan";
import { RUN_AS } from "./layout-move";

/**
 * The one-click upgrade (eLabFTW's documented upgrade procedure): a journaled operation
 * that ends either upgraded and healthy, or back on the old version with its
 * data as it was. Nothing changes before the pre-flight checks, a verified
 * backup and the pull have succeeded; from the recreation on, any failure (or
 * a panel that died, see executeOperation) rolls back: the new container
 * goes, the database is restored from the backup if the migration may have
 * started, and the kept old container comes back under its name, on its
 * networks, with its restart policy.
 */
export const UPGRADE_STEPS = [
  { key: "preflight", title: "Pre-flight checks" },
  { key: "backup", title: "Back up and verify the backup" },
  { key: "pull", title: "Pull the new image" },
  { key: "recreate", title: "Recreate the web container on the new image" },
  { key: "wait", title: "Wait for the database and eLabFTW" },
  { key: "migrate", title: "Migrate the database schema" },
  { key: "verify", title: "Verify the upgraded instance" },
  { key: "commit", title: "Commit the upgrade" },
] as const;

/** The params of an upgrade operation (version 1). */
export const upgradePlanSchema = z.object({
  instanceId: z.string().min(1),
  name: z.string().min(1),
  repository: z.string().min(1),
  fromTag: z.string().min(1),
  toTag: z.string().min(1),
  /** uid:gid the web container runs as after a move to a layout that runs as a user (6.0); its data is given to it. */
  runAs: z
    .string()
    .regex(/^\d{1,10}:\d{1,10}$/)
    .optional(),
});
export type UpgradePlan = z.infer<typeof upgradePlanSchema>;

export interface UpgradeOptions {
  identityFile?: string;
  defaultDir?: string;
  registry?: RegistryConfig;
  /** Free space wanted in Docker's root directory of the web host (default 5 GiB). */
  minFreeBytes?: number;
  healthTimeoutMs?: number;
  /** Keep the old container after a successful upgrade (default: removed). */
  keepOldContainer?: boolean;
}

const STABLE = /^\d+\.\d+\.\d+$/;

/** Queue an upgrade; refuses bad or older versions, and a second operation on the instance (the database decides). */
export async function requestUpgrade(
  db: Db,
  actor: Actor,
  input: { instanceId: string; version: unknown; runAs?: unknown },
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  return queueUpgrade(db, actor, await checkUpgradeRequest(db, input), context, send);
}

/**
 * The plan of an upgrade an operator asks for, checked against the inventory (now, or when it is
 * scheduled): a stable version newer than the running one, and for a move to 6.0 a uid:gid that is one.
 */
export async function checkUpgradeRequest(
  db: Db,
  input: { instanceId: string; version: unknown; runAs?: unknown },
): Promise<UpgradePlan> {
  const version = typeof input.version === "string" ? input.version.trim() : "";
  if (!STABLE.test(version) || !semver.valid(version)) {
    throw new AppError("bad_input", msg`“${String(input.version).slice(0, 40)}” is not a stable eLabFTW version.`, {
      hint: "Pick a version like 5.1.0 from the list (no beta, no rc, no latest).",
    });
  }
  const instance = await db.instance.findUnique({
    where: { id: input.instanceId },
    select: {
      id: true,
      name: true,
      unitId: true,
      webHostId: true,
      imageRepository: true,
      imageTag: true,
      elabftwVersion: true,
    },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  const current = instance.elabftwVersion ?? instance.imageTag;
  if (semver.valid(current) && !semver.gt(version, current)) {
    throw new AppError("bad_input", msg`${version} is not newer than the running version ${current}.`, {
      hint: "Choose a newer version; going back is done by restoring a backup.",
    });
  }
  // A move to a layout that runs as a user (6.0): the uid:gid it will run as, and be given the data.
  let runAs: string | undefined;
  if (layoutChangeOf(semver.valid(current) ? current : null, version)?.runsAs === "user") {
    const given = typeof input.runAs === "string" && input.runAs.trim() ? input.runAs.trim() : "101:101";
    const m = RUN_AS.exec(given);
    if (!m || Number(m[1]) > 2 ** 31 - 1 || Number(m[2]) > 2 ** 31 - 1) {
      throw new AppError("bad_input", msg`“${given.slice(0, 40)}” is not a uid:gid such as 1002:1002.`, {
        hint: "Give the numeric ids of the user eLabFTW will run as (id elabftw-worker on the host). Nothing was changed.",
      });
    }
    if (m[1] === "0") {
      throw new AppError("bad_input", "eLabFTW 6.0 is meant to run as an unprivileged user, not as root (uid 0).", {
        hint: "Create a dedicated user on the host (useradd --system elabftw-worker) and give its ids. Nothing was changed.",
      });
    }
    runAs = given;
  }
  return {
    instanceId: instance.id,
    name: instance.name,
    repository: instance.imageRepository,
    fromTag: instance.imageTag,
    toTag: version,
    ...(runAs ? { runAs } : {}),
  };
}

/** The operation for a checked plan (one per instance at a time), and its audit event. */
export async function queueUpgrade(
  db: Db,
  actor: Actor,
  plan: UpgradePlan,
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: plan.instanceId },
    select: { id: true, name: true, unitId: true, webHostId: true },
  });
  const operationId = await createOperation(
    db,
    {
      operation: upgradeOperation,
      instanceId: instance.id,
      hostId: instance.webHostId,
      requestedById: actor.id,
      params: plan,
      steps: [...UPGRADE_STEPS],
    },
    async (tx, operationId) => {
      await appendAuditEvent(tx, {
        ...requestedBy(actor, context),
        action: "instance.upgrade.request",
        outcome: "success",
        target: { type: "operation", id: operationId },
        instanceId: instance.id,
        unitId: instance.unitId,
        params: {
          name: instance.name,
          from: plan.fromTag,
          to: plan.toTag,
          ...(plan.runAs ? { runAs: plan.runAs } : {}),
        },
      });
    },
    send,
  );
  return operationId;
}

export function upgradeSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: UpgradePlan,
  options: UpgradeOptions = {},
): UpgradeStep[] {
  const env = upgradeEnv(db, ring, operationId, plan, options);
  const steps: Record<(typeof UPGRADE_STEPS)[number]["key"], UpgradeStepBody> = {
    preflight: preflightStep(env),
    backup: backupStep(env),
    pull: pullStep(env),
    recreate: recreateStep(env),
    wait: waitStep(env),
    migrate: migrateStep(env),
    verify: verifyStep(env),
    commit: commitStep(env),
  };
  return UPGRADE_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

/** After the run: the audit trail says how it ended. */
export async function finishUpgrade(
  db: Db,
  operationId: string,
  plan: UpgradePlan,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: { error: true, requestedById: true, instance: { select: { unitId: true } } },
  });
  await recordAuditEvent(db, {
    actor: { type: "system", label: "upgrade" },
    action:
      outcome === "succeeded"
        ? "instance.upgraded"
        : outcome === "rolled_back"
          ? "instance.upgrade_rolled_back"
          : "instance.upgrade_failed",
    outcome: outcome === "succeeded" ? "success" : "failure",
    reason: op.error?.slice(0, 500) ?? null,
    target: { type: "operation", id: operationId },
    instanceId: plan.instanceId,
    unitId: op.instance?.unitId ?? null,
    params: { name: plan.name, from: plan.fromTag, to: plan.toTag },
  });
}

export const upgradeOperation = defineOperation({
  kind: "upgrade",
  version: 1,
  params: upgradePlanSchema,
  steps: (run) =>
    upgradeSteps(run.db, run.ring, run.operationId, run.params, { ...run.options.backup, ...run.options.upgrade }),
  // Taken over after the panel died: finish only if the upgraded instance had been verified, else roll back.
  onTakeover: (_run, journal) =>
    journal.verify === "succeeded"
      ? { action: "resume" }
      : {
          action: "roll_back",
          reason: "The panel stopped during this step; the upgrade was rolled back when the panel started again.",
        },
  finish: (run, outcome) => finishUpgrade(run.db, run.operationId, run.params, outcome),
});
