import type { Actor, RequestContext } from "../../kernel";
import { rm } from "node:fs/promises";
import path from "node:path";
import semver from "semver";
import { z } from "zod";
import type { KeyRing } from "../../crypto";
import {
  connectNetwork,
  createContainer,
  disconnectNetwork,
  execCapture,
  inspectContainer,
  inspectImage,
  measureFreeSpace,
  planRecreate,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
  updateRestartPolicy,
  getEngineInfo,
  type DockerClient,
} from "../../docker";
import { backupPaths } from "../../env";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import { backupSteps, dumpDatabaseTo } from "../backups/create-backup";
import { FINAL_DUMP_FILE, readManifest } from "../backups/restore-point";
import { hashFile } from "../backups/encrypted-file";
import { loadBackupIdentity } from "../backups/identity";
import { recreateAndLoad, target } from "../backups/restore-backup";
import { verifySteps } from "../backups/verify-backup";
import type { Db } from "../db/client";
import { hostClients } from "../hosts/clients";
import { pullWithProgress } from "../operations/pull-progress";
import { dbUpdateSucceeded, describeConsoleFailure, parseDbCheck } from "../instances/elabftw-console";
import { healthFromInside, waitForHealth } from "../instances/observe";
import { defineOperation } from "../operations/define";
import {
  createOperation,
  nestedProgress,
  runNestedSteps,
  type StepContext,
  type StepDefinition,
} from "../operations/journal";
import { waitFor } from "../operations/wait-for";
import { listTags, type RegistryConfig } from "../registry/registry-client";
import { composeLabelsOf, syncComposeFile } from "./compose-sync";
import { registryConfig } from "../registry/tag-cache";

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
});
export type UpgradePlan = z.infer<typeof upgradePlanSchema>;

/** What each step returns, by key (the journal keeps it; later steps and undos read it). */
interface UpgradeResults {
  preflight: unknown;
  backup: { backupId: string };
  pull: { imageId: string; version: string | null };
  recreate: Recreated;
  wait: { healthyAt: string };
  migrate: { from?: number; to?: number; servingAt?: string };
  verify: { schema: number; version: string };
  commit: unknown;
}
type UpgradeContext = StepContext<UpgradeResults>;
type UpgradeStep = StepDefinition<UpgradeResults>;

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

const GiB = 1024 ** 3;
const STABLE = /^\d+\.\d+\.\d+$/;

export const releaseNotesUrl = (version: string) => `https://github.com/elabftw/elabftw/releases/tag/${version}`;

/** Queue an upgrade; refuses bad or older versions, and a second operation on the instance (the database decides). */
export async function requestUpgrade(
  db: Db,
  actor: Actor,
  input: { instanceId: string; version: unknown },
  context: RequestContext,
): Promise<string> {
  const version = typeof input.version === "string" ? input.version.trim() : "";
  if (!STABLE.test(version) || !semver.valid(version)) {
    throw new AppError("bad_input", `“${String(input.version).slice(0, 40)}” is not a stable eLabFTW version.`, {
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
    throw new AppError("bad_input", `${version} is not newer than the running version ${current}.`, {
      hint: "Choose a newer version; going back is done by restoring a backup.",
    });
  }
  return queueUpgrade(
    db,
    actor,
    {
      instanceId: instance.id,
      name: instance.name,
      repository: instance.imageRepository,
      fromTag: instance.imageTag,
      toTag: version,
    },
    context,
  );
}

/** The operation for a checked plan (one per instance at a time), and its audit event. */
export async function queueUpgrade(db: Db, actor: Actor, plan: UpgradePlan, context: RequestContext): Promise<string> {
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
        actor: { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId },
        ip: context.ip,
        userAgent: context.userAgent,
        action: "instance.upgrade.request",
        outcome: "success",
        target: { type: "operation", id: operationId },
        instanceId: instance.id,
        unitId: instance.unitId,
        params: { name: instance.name, from: plan.fromTag, to: plan.toTag },
      });
    },
  );
  return operationId;
}

interface Recreated {
  oldId: string;
  keptName: string;
  name: string;
  restartPolicy: string;
  networks: { name: string; aliases: string[] }[];
  stoppedAt: string;
  newId?: string;
  /** The database as it was at the stop, dumped inside the downtime: what a rollback puts back. */
  finalDump?: {
    path: string;
    sha256: string;
    plainBytes: number;
    tables: Record<string, number>;
    schema: number | null;
    ms: number;
  };
}

export function upgradeSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: UpgradePlan,
  options: UpgradeOptions = {},
): UpgradeStep[] {
  const newImage = `${plan.repository}:${plan.toTag}`;
  const keptName = (name: string) => `${name}-paillasse-rollback-${plan.fromTag}`;
  const instance = () =>
    db.instance.findUniqueOrThrow({
      where: { id: plan.instanceId },
      select: {
        webHostId: true,
        webContainerName: true,
        databasePlacement: true,
        databaseHostId: true,
        databaseContainerName: true,
      },
    });
  // One client per host for the whole upgrade (connecting asks the engine its version each time).
  const clients = hostClients(db, ring);
  const webClient = async () => clients((await instance()).webHostId);
  const healthTimeoutMs = options.healthTimeoutMs ?? 180_000;
  const console = (client: DockerClient, container: string, command: string) =>
    execCapture(client, container, { cmd: ["bin/console", command], maxBytes: 8 << 20 });

  /** Until the database container runs and is healthy (or has no healthcheck). */
  const waitForDatabase = (dbClient: DockerClient, container: string) =>
    waitFor(
      "The database container becoming healthy",
      { timeoutMs: healthTimeoutMs, intervalMs: 500, hint: "Check the database container's logs." },
      async () => {
        const c = await inspectContainer(dbClient, container);
        if (!c.state.running) return { done: false, detail: "it is not running" };
        return c.state.health === "healthy" || c.state.health === "none"
          ? { done: true, value: null }
          : { done: false, detail: `health ${c.state.health}` };
      },
    );

  /** A rollback needs the database: a managed database container that stopped is started again. */
  const ensureDatabaseRunning = async (ctx: UpgradeContext) => {
    const i = await instance();
    if (i.databasePlacement !== "container" || !i.databaseHostId || !i.databaseContainerName) return;
    const dbClient = await clients(i.databaseHostId);
    const database = await inspectContainer(dbClient, i.databaseContainerName);
    if (database.state.running) return;
    await startContainer(dbClient, i.databaseContainerName);
    await ctx.log(`The database container ${i.databaseContainerName} had stopped: started it again.`, "warn");
    await waitForDatabase(dbClient, i.databaseContainerName);
  };

  /**
   * The database as it is once the web container has stopped, dumped beside
   * the pre-upgrade backup (encrypted to the same recipients): what a rollback
   * loads, so that no write made during the backup, its verification and the
   * pull is lost. Its time is part of the downtime, and said so.
   */
  const finalDump = async (ctx: UpgradeContext): Promise<NonNullable<Recreated["finalDump"]>> => {
    const { backupId } = ctx.result("backup");
    const { backup, manifest } = await readManifest(db, ring, backupId);
    const file = path.join(backup.location!, FINAL_DUMP_FILE);
    const started = Date.now();
    await ctx.progress(57, "Dumping the database at the stop");
    try {
      const written = await dumpDatabaseTo(db, ring, ctx, plan.instanceId, {
        path: file,
        recipients: manifest.recipients,
      });
      const ms = Date.now() - started;
      await ctx.log(
        `Dumped the database at the stop in ${(ms / 1000).toFixed(1)} s: a rollback puts back every write made before the stop.`,
      );
      return { path: file, ...written, ms };
    } catch (error) {
      await rm(file, { force: true });
      throw new AppError("unavailable", `The database could not be dumped at the stop: ${(error as Error).message}`, {
        hint: "The old version is started again; nothing else was changed.",
      });
    }
  };

  const removeFinalDump = async (ctx: UpgradeContext, state: Partial<Recreated>) => {
    if (state.finalDump) return rm(state.finalDump.path, { force: true });
    const backupId = ctx.resultIfAny("backup")?.backupId;
    const backup = backupId
      ? await db.backup.findUnique({ where: { id: backupId }, select: { location: true } })
      : null;
    if (backup?.location) await rm(path.join(backup.location, FINAL_DUMP_FILE), { force: true });
  };

  /** The new container (under the instance's name) if it is not the kept one. */
  const newContainerOf = async (client: DockerClient, name: string, oldId: string) => {
    try {
      const c = await inspectContainer(client, name);
      return c.id === oldId ? null : c;
    } catch (error) {
      if ((error as { failure?: string }).failure === "not_found") return null;
      throw error;
    }
  };

  const steps: Record<(typeof UPGRADE_STEPS)[number]["key"], Omit<UpgradeStep, "key" | "title">> = {
    preflight: {
      async run(ctx) {
        await ctx.log(
          `Upgrade of ${plan.name} from ${plan.fromTag} to ${plan.toTag}. Release notes: ${releaseNotesUrl(plan.toTag)}`,
        );
        const tags = await listTags(options.registry ?? registryConfig(), plan.repository).catch((error: unknown) => {
          throw new AppError(
            "unavailable",
            `The registry could not be asked for ${plan.repository}: ${(error as Error).message}`,
            {
              hint: "Check the registry settings and that the panel reaches it, then try again.",
            },
          );
        });
        if (!tags.includes(plan.toTag)) {
          throw new AppError("precondition_failed", `${newImage} does not exist in the registry.`, {
            hint: "Pick a version from the list on the instance page (the list is refreshed every hour).",
          });
        }
        const i = await instance();
        const client = await webClient();
        const web = await inspectContainer(client, i.webContainerName);
        if (!web.state.running) {
          throw new AppError("precondition_failed", `${i.webContainerName} is not running.`, {
            hint: "Start the instance and make sure it is healthy before upgrading.",
          });
        }
        const health = await healthFromInside(client, web);
        if (health.verdict !== "ok") {
          throw new AppError("precondition_failed", `The instance is not healthy: ${health.detail}.`, {
            hint: "Fix the instance first: an upgrade starts from a healthy instance.",
          });
        }
        const check = await console(client, web.id, "db:check");
        const schema = parseDbCheck(check.stdout);
        if (!schema?.upToDate) {
          throw new AppError(
            "precondition_failed",
            schema
              ? `The schema is not in sync before the upgrade (current ${schema.current}, required ${schema.required}).`
              : `${describeConsoleFailure("bin/console db:check", check)}.`,
            { hint: "Bring the schema in sync with the running version first (bin/console db:update)." },
          );
        }
        if (i.databasePlacement === "container" && i.databaseHostId && i.databaseContainerName) {
          const dbClient = await clients(i.databaseHostId);
          const database = await inspectContainer(dbClient, i.databaseContainerName);
          if (!database.state.running) {
            throw new AppError(
              "precondition_failed",
              `The database container ${i.databaseContainerName} is not running.`,
              {
                hint: "Start it, check the instance is healthy, then upgrade.",
              },
            );
          }
        }
        const engine = await getEngineInfo(client);
        const free = await measureFreeSpace(client, engine.dockerRootDir, web.image).catch(() => null);
        const wanted = options.minFreeBytes ?? 5 * GiB;
        if (free === null) {
          await ctx.log(`Free space in ${engine.dockerRootDir} could not be measured; going on.`, "warn");
        } else if (free < wanted) {
          throw new AppError(
            "precondition_failed",
            `Only ${(free / GiB).toFixed(1)} GiB free in ${engine.dockerRootDir} on the web host; ${(wanted / GiB).toFixed(0)} GiB are needed.`,
            { hint: "Free space on that host (old images: docker image prune), then try again." },
          );
        }
        await ctx.log(
          `Healthy, schema ${schema.current} in sync${free !== null ? `, ${(free / GiB).toFixed(1)} GiB free` : ""}.`,
        );
        await ctx.progress(5, "Pre-flight checks passed");
        return { schema: schema.current, freeBytes: free };
      },
    },

    backup: {
      async run(ctx) {
        const backup = await runNestedSteps(
          backupSteps(
            db,
            ring,
            operationId,
            { instanceId: plan.instanceId, trigger: "pre_upgrade" },
            {
              identityFile: options.identityFile,
              defaultDir: options.defaultDir,
              linkOperation: false,
            },
          ),
          ctx,
          { label: "Backup", progress: nestedProgress(ctx, "Backup", [5, 25]) },
        ).catch(async (error: unknown) => {
          await db.backup.updateMany({
            where: { instanceId: plan.instanceId, trigger: "pre_upgrade", status: "running" },
            data: { status: "failed", finishedAt: new Date(), error: (error as Error).message.slice(0, 1000) },
          });
          throw error;
        });
        const { backupId } = backup.manifest!;
        await ctx.intent({ backupId });
        await runNestedSteps(
          verifySteps(db, ring, operationId, { backupId }, { identityFile: options.identityFile }),
          ctx,
          { label: "Verification", progress: nestedProgress(ctx, "Verification", [25, 40]) },
        ).catch(async (error: unknown) => {
          await db.backup.update({
            where: { id: backupId },
            data: {
              verificationStatus: "failed",
              verifiedAt: new Date(),
              verificationDetails: { operationId, reason: (error as Error).message.slice(0, 1000) },
            },
          });
          throw new AppError(
            "unavailable",
            `The backup taken before the upgrade did not verify: ${(error as Error).message}`,
            {
              hint: "Nothing was changed. See the backup's verification, fix the cause, then upgrade again.",
            },
          );
        });
        await db.backup.update({
          where: { id: backupId },
          data: {
            verificationStatus: "passed",
            verifiedAt: new Date(),
            verificationDetails: { operationId, reason: null },
          },
        });
        await ctx.log(`Backup ${backupId} written and verified.`);
        return { backupId };
      },
      async compensate(ctx) {
        // A backup left half-written by a stop: its files go, its row says so (a finished one stays: it is a
        // good restore point).
        const cut = await db.backup.findMany({
          where: { instanceId: plan.instanceId, trigger: "pre_upgrade", status: "running" },
          select: { id: true, location: true },
        });
        for (const b of cut) {
          if (b.location) await rm(`${b.location}.partial`, { recursive: true, force: true });
          await db.backup.update({
            where: { id: b.id },
            data: { status: "failed", finishedAt: new Date(), error: "The upgrade stopped during this backup." },
          });
        }
        await ctx.log("No change to undo for the backup (it stays as a restore point).");
      },
      compensateOnFailure: true,
    },

    pull: {
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
    },

    recreate: {
      async run(ctx) {
        const client = await webClient();
        const name = (await instance()).webContainerName;
        const recreate = await planRecreate(client, name, newImage);
        const state: Recreated = {
          oldId: recreate.id,
          keptName: keptName(name),
          name,
          restartPolicy: recreate.restartPolicy,
          networks: recreate.networks,
          stoppedAt: new Date().toISOString(),
        };
        // Journaled before anything changes: a rollback (even after a crash) knows what to put back.
        await ctx.intent({ ...state });
        await stopContainer(client, recreate.id, 30);
        await ctx.log(`Stopped ${name}; downtime starts.`);
        // Nothing writes to the database any more: one last dump, so that a rollback loses no write made
        // since the backup (during its verification and the pull, researchers kept working).
        state.finalDump = await finalDump(ctx);
        await ctx.intent({ ...state });
        // The kept container can never come back by itself in place of the new one (after a reboot, say).
        await updateRestartPolicy(client, recreate.id, "no");
        await renameContainer(client, recreate.id, state.keptName);
        for (const n of recreate.networks) await disconnectNetwork(client, n.name, recreate.id);
        await ctx.log(`Kept the old container as ${state.keptName} (restart policy no, no network).`);
        const newId = await createContainer(client, recreate.body);
        await ctx.intent({ ...state, newId });
        await startContainer(client, newId);
        await ctx.log(`Started ${name} on ${newImage}.`);
        await ctx.progress(60, "New container started");
        return { ...state, newId };
      },
      // Idempotent, from the real state: whatever part of the swap was done is undone.
      async compensate(ctx) {
        const state = await ctx.intentOf<Recreated>("recreate");
        if (!state.oldId || !state.name || !state.keptName) {
          await ctx.log("The old container was not touched.");
          return;
        }
        const client = await webClient();
        const fresh = await newContainerOf(client, state.name, state.oldId);
        if (fresh) {
          await removeContainer(client, fresh.id, { force: true });
          await ctx.log(`Removed the new container ${fresh.id.slice(0, 12)}.`);
        }
        const old = await inspectContainer(client, state.oldId).catch(() => null);
        // The dump taken at the stop has served (or a cut one is worthless): it does not stay beside the backup.
        await removeFinalDump(ctx, state);
        if (!old) {
          throw new AppError(
            "internal",
            `The kept container ${state.keptName} is gone: the old version cannot be started again.`,
            {
              hint: "Restore the backup taken before the upgrade onto a container of the old version.",
            },
          );
        }
        // The old version needs its database: if it went down meanwhile, it is started again first.
        await ensureDatabaseRunning(ctx);
        if (old.name !== state.name) await renameContainer(client, state.oldId, state.name);
        const connected = new Set(Object.keys(old.networks));
        for (const n of state.networks ?? []) {
          if (!connected.has(n.name)) await connectNetwork(client, n.name, state.oldId, n.aliases);
        }
        await updateRestartPolicy(client, state.oldId, (state.restartPolicy ?? "unless-stopped") as "no");
        if (!old.state.running) await startContainer(client, state.oldId);
        await ctx.log(`Put back ${state.name} on ${plan.repository}:${plan.fromTag}.`);
        const web = await inspectContainer(client, state.oldId);
        await waitForHealth(client, web, {
          timeoutMs: healthTimeoutMs,
          intervalMs: 500,
          hint: "The old version was put back but does not answer: see its logs.",
        });
        const check = parseDbCheck((await console(client, web.id, "db:check")).stdout);
        await ctx.log(
          check?.upToDate
            ? `The old version answers ok, schema ${check.current} in sync.`
            : `The old version answers ok, but db:check says: ${check ? `current ${check.current}, required ${check.required}` : "nothing readable"}.`,
          check?.upToDate ? "info" : "warn",
        );
      },
      compensateOnFailure: true,
    },

    wait: {
      async run(ctx) {
        const i = await instance();
        const client = await webClient();
        if (i.databasePlacement === "container" && i.databaseHostId && i.databaseContainerName) {
          const dbClient = await clients(i.databaseHostId);
          await waitForDatabase(dbClient, i.databaseContainerName);
        }
        const web = await inspectContainer(client, i.webContainerName);
        await waitForHealth(client, web, {
          timeoutMs: healthTimeoutMs,
          intervalMs: 250,
          hint: "The new version does not answer; the old one is put back.",
          onWait: async (elapsed, detail) =>
            ctx.progress(62, `Waiting for ${plan.toTag} to answer (${Math.round(elapsed / 1000)} s: ${detail})`),
        });
        const healthyAt = new Date();
        const recreated = ctx.result("recreate");
        const downtimeMs = healthyAt.getTime() - new Date(recreated.stoppedAt).getTime();
        await ctx.log(
          `${plan.toTag} answers ok (${(downtimeMs / 1000).toFixed(1)} s after the stop); users see real pages once the schema is in sync.`,
        );
        await ctx.progress(65, "New version answers");
        return { healthyAt: healthyAt.toISOString() };
      },
    },

    migrate: {
      async run(ctx) {
        const client = await webClient();
        const web = await inspectContainer(client, (await instance()).webContainerName);
        const before = await console(client, web.id, "db:check");
        const check = parseDbCheck(before.stdout);
        if (!check) throw new AppError("unavailable", `${describeConsoleFailure("bin/console db:check", before)}.`);
        if (check.ahead) {
          throw new AppError(
            "precondition_failed",
            `The database (schema ${check.current}) is ahead of ${plan.toTag} (${check.required}).`,
          );
        }
        if (check.upToDate) {
          await ctx.log(`Schema ${check.current}: nothing to migrate.`);
          // Healthy and in sync since the health check: real pages were served from then on.
          return {
            from: check.current,
            to: check.current,
            servingAt: ctx.result("wait").healthyAt,
          };
        }
        // Journaled before the first migration runs: from here on a rollback restores the database.
        await ctx.intent({ migration: "db:update", from: check.current, to: check.required });
        await ctx.log(`Schema ${check.current} → ${check.required}: running bin/console db:update.`);
        await ctx.progress(70, `Migrating the schema ${check.current} → ${check.required}`);
        const update = await console(client, web.id, "db:update");
        const updatedAt = new Date();
        for (const line of update.stdout.split("\n").filter((l) => l.trim())) await ctx.log(`db:update: ${line}`);
        for (const line of update.stderr
          .split("\n")
          .filter((l) => l.trim())
          .slice(-20)) {
          await ctx.log(`db:update: ${line}`, "warn");
        }
        if (!dbUpdateSucceeded(update.exitCode ?? -1, update.stdout)) {
          throw new AppError("unavailable", `${describeConsoleFailure("bin/console db:update", update)}.`, {
            hint: "The database is put back as it was at the stop, and the old version started again.",
          });
        }
        const after = parseDbCheck((await console(client, web.id, "db:check")).stdout);
        if (!after?.upToDate) {
          throw new AppError(
            "unavailable",
            `After db:update the schema is still not in sync (${after ? `current ${after.current}, required ${after.required}` : "no readable db:check"}).`,
            { hint: "The database is put back as it was at the stop, and the old version started again." },
          );
        }
        await ctx.log(`Schema ${after.current}: “No upgrade required.”`);
        await ctx.progress(85, "Schema migrated");
        // Real pages (not "Almost there!") from the moment db:update ended, as db:check confirmed.
        return { from: check.current, to: after.current, servingAt: updatedAt.toISOString() };
      },
      // The migrations run without a transaction: if they may have started, the database comes back from the backup.
      async compensate(ctx) {
        if ((await ctx.intentOf<{ migration: string }>("migrate")).migration !== "db:update") {
          await ctx.log("No migration ran: the database is as it was.");
          return;
        }
        const client = await webClient();
        const recreated = await ctx.intentOf<Recreated>("recreate");
        if (!recreated.name || !recreated.oldId)
          throw new Error("the journal does not say which container was swapped");
        await ensureDatabaseRunning(ctx);
        // Nothing may write to the database while it is restored.
        const fresh = await newContainerOf(client, recreated.name, recreated.oldId);
        if (fresh) await stopContainer(client, fresh.id, 10);
        const { backupId } = ctx.result("backup");
        const { manifest, backup } = await readManifest(db, ring, backupId);
        const identity = await loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
        const final = recreated.finalDump;
        const finalIntact = final ? (await hashFile(final.path).catch(() => null))?.sha256 === final.sha256 : false;
        if (final && finalIntact) {
          await ctx.log("Restoring the database as it was at the stop (the dump taken inside the downtime).");
          await recreateAndLoad(
            await target(db, ring, plan.instanceId),
            {
              ...manifest,
              schema: final.schema,
              database: {
                ...manifest.database,
                file: path.basename(final.path),
                plainBytes: final.plainBytes,
                tables: final.tables,
              },
            },
            path.dirname(final.path),
            identity.identity,
            ctx,
          );
          return;
        }
        if (final) {
          await ctx.log(
            `The dump taken at the stop is missing or altered (${final.path}): the database comes back from the backup taken before the upgrade, without what was written after it.`,
            "warn",
          );
        }
        await ctx.log(`Restoring the database from the backup taken before the upgrade (${backupId}).`);
        await recreateAndLoad(
          await target(db, ring, plan.instanceId),
          manifest,
          backup.location!,
          identity.identity,
          ctx,
        );
      },
      compensateOnFailure: true,
    },

    verify: {
      async run(ctx) {
        const client = await webClient();
        const web = await inspectContainer(client, (await instance()).webContainerName);
        const health = await healthFromInside(client, web);
        if (health.verdict !== "ok") throw new AppError("unavailable", `After the migration: ${health.detail}.`);
        const check = parseDbCheck((await console(client, web.id, "db:check")).stdout);
        if (!check?.upToDate || check.current !== check.required) {
          throw new AppError("unavailable", "After the migration the schema is not the one the image requires.");
        }
        const pulled = ctx.result("pull");
        const image = await inspectImage(client, web.imageId);
        if (image.id !== pulled.imageId) {
          throw new AppError(
            "unavailable",
            `The running container is on ${image.id.slice(7, 19)}, not the pulled ${newImage}.`,
          );
        }
        await ctx.log(`Verified: healthy, schema ${check.current}, eLabFTW ${image.elabftwVersion ?? plan.toTag}.`);
        await ctx.progress(90, "Verified");
        return { schema: check.current, version: image.elabftwVersion ?? plan.toTag };
      },
    },

    commit: {
      async run(ctx) {
        const client = await webClient();
        const recreated = ctx.result("recreate");
        const verified = ctx.result("verify");
        // Downtime as users live it: from the stop until real pages again (healthy, and the schema in sync).
        // (A journal written before this figure existed has only the health check's time.)
        const servingAt = ctx.result("migrate").servingAt ?? ctx.result("wait").healthyAt;
        const downtimeMs = new Date(servingAt).getTime() - new Date(recreated.stoppedAt).getTime();
        if (!options.keepOldContainer) {
          const old = await inspectContainer(client, recreated.oldId).catch(() => null);
          if (old) await removeContainer(client, recreated.oldId, { force: true });
          await ctx.log(`Removed the old container ${recreated.keptName}.`);
        } else {
          await ctx.log(`Kept the old container as ${recreated.keptName} (stopped, restart policy no).`);
        }
        await db.instance.update({
          where: { id: plan.instanceId },
          data: { imageTag: plan.toTag, elabftwVersion: verified.version },
        });
        // Started by docker compose: its file must name the new tag, or a later `docker compose up` downgrades.
        const current = await inspectContainer(client, recreated.name);
        const compose = composeLabelsOf(current.labels);
        let composeFile: string | null = null;
        if (compose) {
          try {
            const stamp = new Date()
              .toISOString()
              .replace(/\.\d+Z$/, "Z")
              .replace(/[-:]/g, "");
            const synced = await syncComposeFile(client, newImage, compose, newImage, stamp);
            if (synced.file !== null) {
              composeFile = synced.file;
              await ctx.log(`Compose file ${synced.file} now says ${newImage}; the previous copy is ${synced.backup}.`);
            } else {
              await ctx.log(`Compose file not changed: ${synced.reason}.`, "warn");
            }
          } catch (error) {
            // The upgrade itself is done and verified: say what to do rather than undo it.
            await ctx.log(
              `The compose file could not be updated (${(error as Error).message}): set the image of service ${compose.service} to ${newImage} in it by hand.`,
              "warn",
            );
          }
        }
        if (recreated.finalDump) {
          await rm(recreated.finalDump.path, { force: true });
          await ctx.log("Removed the dump taken at the stop (the upgrade stands; the verified backup stays).");
        }
        const { backupId } = ctx.result("backup");
        await ctx.log(
          `Upgraded to ${plan.toTag}: downtime ${(downtimeMs / 1000).toFixed(1)} s (from the stop until eLabFTW served real pages: healthy, schema in sync).`,
        );
        return { downtimeMs, backupId, version: verified.version, schema: verified.schema, composeFile };
      },
    },
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
