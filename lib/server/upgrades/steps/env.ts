import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { KeyRing } from "../../../crypto";
import { execCapture, inspectContainer, startContainer, stopContainer, type DockerClient } from "../../../docker";
import { AppError, errorText } from "../../../errors";
import { dumpDatabaseTo } from "../../backups/create-backup";
import { FINAL_DUMP_FILE, readManifest } from "../../backups/restore-point";
import { openPoint } from "../../backups/any-point";
import { hashFile, openEncryptedFile } from "../../backups/encrypted-file";
import { recreateAndLoadDump, target } from "../../backups/restore-target";
import { loadBackupIdentity } from "../../backups/identity";
import { backupPaths } from "../../../env";
import type { Db } from "../../db/client";
import { hostClients } from "../../hosts/clients";
import { type StepContext, type StepDefinition } from "../../operations/journal";
import { waitForDatabaseContainer } from "../wait-database";
import type { UpgradeOptions, UpgradePlan } from "../upgrade";
import { msg } from "../../../i18n/message";
import type { LayoutMove } from "../layout-move";

export interface Recreated {
  oldId: string;
  keptName: string;
  name: string;
  restartPolicy: string;
  networks: { name: string; aliases: string[] }[];
  stoppedAt: string;
  newId?: string;
  /** The container serving the maintenance page from the stop until the new one starts (5.5.3+). */
  maintenance?: string;
  /** A move to another container layout (5.x → 6.0): what it changes, and the record of the data's owners. */
  layout?: {
    move: LayoutMove;
    /** The volume that keeps the owners and modes as they were before the chown. */
    record: string;
    /** Entries given to the new user (known once the chown ran). */
    chowned?: number;
  };
  /**
   * The new container migrates the schema itself when it starts (AUTO_DB_UPDATE=true): the dump is taken
   * before it starts, and a rollback from any later point puts the database back.
   */
  autoDbUpdate?: boolean;
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

/** What each step returns, by key (the journal keeps it; later steps and undos read it). */
export interface UpgradeResults {
  preflight: unknown;
  backup: { backupId: string };
  pull: { imageId: string; version: string | null };
  recreate: Recreated;
  wait: { healthyAt: string };
  migrate: { from?: number; to?: number; servingAt?: string };
  verify: { schema: number; version: string };
  commit: unknown;
}
export type UpgradeContext = StepContext<UpgradeResults>;
export type UpgradeStep = StepDefinition<UpgradeResults>;
/** One step of the upgrade, as its module builds it (its key and title come from UPGRADE_STEPS). */
export type UpgradeStepBody = Omit<UpgradeStep, "key" | "title">;

/**
 * What every step of one upgrade shares: the plan, where the instance is,
 * one Docker client per host, and the helpers several steps need (waiting
 * for the database, the dump taken at the stop, finding the new container).
 */
export function upgradeEnv(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: UpgradePlan,
  options: UpgradeOptions = {},
) {
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
        elabftwVersion: true,
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
    waitForDatabaseContainer(dbClient, container, {
      timeoutMs: healthTimeoutMs,
      hint: "Check the database container's logs.",
    });

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
  /**
   * Where the dump taken at the stop goes: beside an encrypted-files backup (to its recipients), or,
   * for a snapshot in a repository, in the backup directory's final-dumps/, to the backup key.
   */
  const backupRow = (backupId: string) =>
    db.backup.findUniqueOrThrow({ where: { id: backupId }, select: { format: true, location: true } });
  const finalDumpPath = (backupId: string, row: { format: string; location: string | null }) =>
    row.format === "files" && row.location
      ? path.join(row.location, FINAL_DUMP_FILE)
      : path.join(options.defaultDir ?? backupPaths().defaultDir, "final-dumps", `${backupId}-${FINAL_DUMP_FILE}`);
  const finalDumpPlace = async (backupId: string): Promise<{ file: string; recipients: string[] }> => {
    const row = await backupRow(backupId);
    const file = finalDumpPath(backupId, row);
    if (row.format === "files" && row.location) {
      return { file, recipients: (await readManifest(db, ring, backupId)).manifest.recipients };
    }
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const identity = await loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
    return { file, recipients: [identity.recipient] };
  };

  const finalDump = async (ctx: UpgradeContext): Promise<NonNullable<Recreated["finalDump"]>> => {
    const { backupId } = ctx.result("backup");
    const { file, recipients } = await finalDumpPlace(backupId);
    const started = Date.now();
    await ctx.progress(57, "Dumping the database at the stop");
    try {
      const written = await dumpDatabaseTo(db, ring, ctx, plan.instanceId, { path: file, recipients });
      const ms = Date.now() - started;
      await ctx.log(
        `Dumped the database at the stop in ${(ms / 1000).toFixed(1)} s: a rollback puts back every write made before the stop.`,
      );
      return { path: file, ...written, ms };
    } catch (error) {
      await rm(file, { force: true });
      throw new AppError("unavailable", msg`The database could not be dumped at the stop: ${errorText(error)}`, {
        hint: "The old version is started again; nothing else was changed.",
      });
    }
  };

  const removeFinalDump = async (ctx: UpgradeContext, state: Partial<Recreated>) => {
    if (state.finalDump) return rm(state.finalDump.path, { force: true });
    const backupId = ctx.resultIfAny("backup")?.backupId;
    const row = backupId
      ? await db.backup.findUnique({ where: { id: backupId }, select: { format: true, location: true } })
      : null;
    if (row) await rm(finalDumpPath(backupId!, row), { force: true });
  };

  /**
   * The database put back as it was at the stop (the dump taken then, or, when that is missing or altered,
   * the backup taken before the upgrade), with the new container stopped first: nothing writes meanwhile.
   */
  const restoreDatabaseAtStop = async (ctx: UpgradeContext) => {
    const client = await webClient();
    const recreated = await ctx.intentOf<Recreated>("recreate");
    if (!recreated.name || !recreated.oldId) throw new Error("the journal does not say which container was swapped");
    await ensureDatabaseRunning(ctx);
    const fresh = await newContainerOf(client, recreated.name, recreated.oldId);
    if (fresh) await stopContainer(client, fresh.id, 10);
    const { backupId } = ctx.result("backup");
    const identity = await loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
    const final = recreated.finalDump;
    const finalIntact = final ? (await hashFile(final.path).catch(() => null))?.sha256 === final.sha256 : false;
    if (final && finalIntact) {
      await ctx.log("Restoring the database as it was at the stop (the dump taken inside the downtime).");
      await recreateAndLoadDump(
        await target(db, ring, plan.instanceId),
        {
          id: backupId,
          size: final.plainBytes,
          tables: Object.keys(final.tables).length,
          schema: final.schema,
          open: () => openEncryptedFile(final.path, [identity.identity]),
        },
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
    // Encrypted files or a snapshot in a repository: the restore point says how its dump is read.
    const point = await openPoint(db, ring, backupId, async () => identity.identity);
    await recreateAndLoadDump(await target(db, ring, plan.instanceId), point.dump(), ctx);
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
  return {
    db,
    ring,
    operationId,
    plan,
    options,
    newImage,
    keptName,
    instance,
    clients,
    webClient,
    healthTimeoutMs,
    console,
    waitForDatabase,
    ensureDatabaseRunning,
    finalDump,
    removeFinalDump,
    restoreDatabaseAtStop,
    newContainerOf,
  };
}
export type UpgradeEnv = ReturnType<typeof upgradeEnv>;
