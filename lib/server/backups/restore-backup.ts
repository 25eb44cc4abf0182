import { openDatabaseSpec, openInstanceSecrets, requireDatabasePassword } from "../instances/instance-secrets";
import type { Actor, RequestContext } from "../../kernel";
import path from "node:path";
import { type KeyRing } from "../../crypto";
import {
  execCapture,
  inspectContainer,
  putArchive,
  runToCompletion,
  startContainer,
  stopContainer,
} from "../../docker";
import { createContainer, DockerError, elabftwVersionOf, envToRecord, imageExists, pullImage } from "../../docker";
import { backupPaths } from "../../env";
import { AppError, errorText } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { hostClients, type HostClients } from "../hosts/clients";
import { dbUpdateSucceeded, decisiveLine } from "../instances/elabftw-console";
import { requiredSchemaFor } from "../instances/elabftw-releases";
import { dbCheck, waitForHealth } from "../instances/observe";
import { defineOperation } from "../operations/define";
import {
  createOperation,
  runNestedSteps,
  type StepContext,
  type StepDefinition,
  type SendJob,
} from "../operations/journal";
import { z } from "zod";
import { backupSteps } from "./create-backup";
import { readManifest, type BackupManifest } from "./restore-point";
import { openEncryptedFile } from "./encrypted-file";
import { putStreamedFile, rebaseTar, UnreadableSource } from "./tar-files";
import { UploadTree } from "./upload-tree";
import { loadBackupIdentity } from "./identity";
import { openDatabaseShell, type DatabaseShell } from "./database-shell";
import { asMessage, msg, type Wording } from "../../i18n/message";

/**
 * Restoring a restore point over a live instance, as eLabFTW's documentation says people
 * do it by hand, but journaled and reversible: refuse a backup newer than the
 * image before touching anything; take a safety backup; stop the web
 * container; recreate the database and load the dump; put the uploads back
 * exactly (owner 101:101 kept from the archive); start; `db:update` when the
 * dump is older than the image; check health. If any step fails, the safety
 * backup is put back the same way and the instance started again.
 */
export const RESTORE_STEPS = [
  { key: "check", title: "Check the backup against the instance" },
  { key: "safety", title: "Take a safety backup of the current state" },
  { key: "stop", title: "Stop the web container" },
  { key: "database", title: "Recreate the database and load the dump" },
  { key: "uploads", title: "Put the uploads back" },
  { key: "start", title: "Start the web container" },
  { key: "update", title: "Bring the schema up to the image" },
  { key: "health", title: "Check that eLabFTW answers" },
] as const;

/** The params of a restore (version 1); `name` is the instance's, for the operations list. */
export const restorePlanSchema = z.object({
  backupId: z.string().min(1),
  instanceId: z.string().min(1),
  name: z.string().optional(),
});
export type RestorePlan = z.infer<typeof restorePlanSchema>;

/** What each step returns, by key (those later steps read). */
interface RestoreResults {
  check: { webWasRunning?: boolean };
  safety: { backupId: string | null };
  [key: string]: unknown;
}

export async function requestRestore(
  db: Db,
  actor: Actor,
  backupId: string,
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  const backup = await db.backup.findUnique({
    where: { id: backupId },
    select: {
      id: true,
      status: true,
      verificationStatus: true,
      schemaVersion: true,
      createdAt: true,
      instance: { select: { id: true, name: true, unitId: true, webHostId: true } },
    },
  });
  if (!backup) throw new AppError("not_found", "This backup is not in the inventory.", { hint: "Reload the page." });
  if (backup.status !== "succeeded") {
    throw new AppError("precondition_failed", "Only a complete backup can be restored.", {
      hint: "Pick a backup whose status is Succeeded; nothing was changed.",
    });
  }
  if (backup.verificationStatus === "failed") {
    throw new AppError("precondition_failed", "This backup failed its verification: it cannot be trusted.", {
      hint: "Pick a verified backup; nothing was changed.",
    });
  }
  const operationId = await createOperation(
    db,
    {
      operation: restoreOperation,
      instanceId: backup.instance.id,
      hostId: backup.instance.webHostId,
      requestedById: actor.id,
      params: { backupId: backup.id, instanceId: backup.instance.id, name: backup.instance.name },
      steps: [...RESTORE_STEPS],
    },
    async (tx) => {
      await appendAuditEvent(tx, {
        actor: { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId },
        ip: context.ip,
        userAgent: context.userAgent,
        action: "backup.restore",
        outcome: "success",
        target: { type: "backup", id: backup.id },
        instanceId: backup.instance.id,
        unitId: backup.instance.unitId,
        params: {
          name: backup.instance.name,
          backupTakenAt: backup.createdAt.toISOString(),
          schema: backup.schemaVersion,
        },
      });
    },
    send,
  );
  return operationId;
}

/** Where things are, and the password to use, read fresh for every step. */
export async function target(db: Db, ring: KeyRing, instanceId: string, clients: HostClients = hostClients(db, ring)) {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: instanceId },
    select: {
      id: true,
      webHostId: true,
      webContainerName: true,
      databasePlacement: true,
      databaseHostId: true,
      databaseContainerName: true,
      databaseAddress: true,
      databasePort: true,
      databaseTls: true,
      databaseName: true,
      databaseUser: true,
      secretsEnc: true,
      databaseSpecEnc: true,
    },
  });
  const password = requireDatabasePassword(openInstanceSecrets(ring, instance));
  return {
    ...instance,
    password,
    web: await clients(instance.webHostId),
    /** The database container's last seen create body, to re-create it if it was removed. */
    databaseSpec: openDatabaseSpec(ring, instance),
    databaseClient: () => clients(instance.databaseHostId!),
    /** Where mysql runs: the database container, or a throw-away client beside the web container (external server). */
    openShell: () => openDatabaseShell(db, ring, instance),
  };
}

export type Target = Awaited<ReturnType<typeof target>>;

const UNREACHABLE_SERVER = /ERROR 200[2356]|Can't connect|Lost connection|server has gone away/i;

/**
 * Whether there is a current database to save before it is replaced: the
 * number of its tables, or why there is nothing (no database container, no
 * database, no table). A stopped database container is started (its data is
 * what a safety backup is for) and given a minute to answer.
 */
/**
 * Re-create a removed database container from the definition the panel last
 * saw (image, environment, volumes, networks and aliases, labels), wait until
 * the server answers over TCP (a fresh data directory is initialised first),
 * and make sure the instance's database and user exist on it.
 */
async function recreateDatabaseContainer(t: Target, ctx: StepContext, timeoutMs: number): Promise<void> {
  const name = t.databaseContainerName!;
  if (!t.databaseSpec || !t.databaseHostId) {
    throw new AppError(
      "precondition_failed",
      msg`The database container ${name} does not exist, and the panel never saw it, so it cannot re-create it.`,
      { hint: "Re-create it (for example with docker compose up -d), then restore again. Nothing was changed." },
    );
  }
  const spec = t.databaseSpec;
  const client = await t.databaseClient();
  if (!(await imageExists(client, spec.Image!))) {
    await ctx.log(`Pulling ${spec.Image} for the database container.`);
    await pullImage(client, spec.Image!);
  }
  await createContainer(client, { ...spec, name });
  await startContainer(client, name);
  await ctx.log(
    `Re-created the database container ${name}, which no longer existed, from its last known definition (${spec.Image}, its volumes, networks and environment).`,
    "warn",
  );
  const env = envToRecord(spec.Env);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Over TCP: while a fresh data directory is initialised, the temporary server listens on its socket only.
    const ping = await execCapture(client, name, {
      cmd: ["mysqladmin", "--protocol=TCP", "-h127.0.0.1", "ping"],
    });
    if (ping.exitCode === 0) break;
    if (Date.now() > deadline) {
      throw new AppError(
        "unavailable",
        msg`The re-created database container ${name} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
        {
          hint: "Read its logs (docker logs), then restore again. Nothing of the instance was changed.",
        },
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const root = env.MYSQL_ROOT_PASSWORD;
  if (root) {
    const db = t.databaseName.replace(/`/g, "``");
    const user = t.databaseUser.replace(/'/g, "''");
    // The statement (it holds the user's password) goes through the environment, as the passwords do: not in ps.
    const ensured = await execCapture(client, name, {
      cmd: ["sh", "-c", 'mysql --protocol=TCP -h127.0.0.1 -uroot -e "$PAILLASSE_SQL"'],
      env: {
        MYSQL_PWD: root,
        PAILLASSE_SQL: `CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci; CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${t.password.replace(/\\/g, "\\\\").replace(/'/g, "''")}'; GRANT ALL ON \`${db}\`.* TO '${user}'@'%';`,
      },
    });
    if (ensured.exitCode !== 0) {
      throw new AppError(
        "unavailable",
        msg`The database ${t.databaseName} could not be created on the re-created server: ${decisiveLine(ensured) ?? `exit ${ensured.exitCode}`}.`,
        { hint: "Create it and its user by hand, then restore again." },
      );
    }
    await ctx.log(`Made sure the database ${t.databaseName} and its user exist on the re-created server.`);
  }
}

export async function currentDatabase(
  t: Target,
  ctx: StepContext,
  options: { answerTimeoutMs?: number } = {},
): Promise<{ tables: number } | { nothing: string }> {
  let shell: DatabaseShell;
  try {
    shell = await t.openShell();
  } catch (error) {
    if (!(error instanceof DockerError && error.failure === "not_found" && t.databasePlacement === "container")) {
      throw error;
    }
    await recreateDatabaseContainer(t, ctx, options.answerTimeoutMs ?? 180_000);
    shell = await t.openShell();
  }
  try {
    if (!shell.external) {
      const live = await inspectContainer(shell.client, shell.container);
      if (!live.state.running) {
        await startContainer(shell.client, shell.container);
        await ctx.log(`Started the database container ${shell.container}, which was stopped.`);
      }
    }
    const name = t.databaseName.replace(/'/g, "''");
    const deadline = Date.now() + (options.answerTimeoutMs ?? 60_000);
    for (;;) {
      const counted = await execCapture(shell.client, shell.container, {
        cmd: [
          "mysql",
          ...shell.connect(false),
          "--batch",
          "--skip-column-names",
          "-u",
          t.databaseUser,
          "-e",
          `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${name}'`,
        ],
        env: { MYSQL_PWD: t.password },
      });
      if (counted.exitCode === 0) {
        const tables = Number(counted.stdout.trim());
        if (tables > 0) return { tables };
        return { nothing: `the database ${t.databaseName} does not exist or holds no table` };
      }
      const output = `${counted.stderr}\n${counted.stdout}`;
      if (UNREACHABLE_SERVER.test(output) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      throw new AppError(
        "unavailable",
        msg`The database server could not be asked what it holds: ${decisiveLine(counted) ?? `exit ${counted.exitCode}`}.`,
        {
          hint: "Check that the database server runs and still accepts the password the panel knows for this instance. Nothing was changed.",
        },
      );
    }
  } finally {
    await shell.close();
  }
}

/** The database server flavour decides the collation (MySQL 8: utf8mb4_0900_ai_ci). */
export async function recreateAndLoad(
  t: Target,
  manifest: BackupManifest,
  location: string,
  identity: string,
  ctx: StepContext,
): Promise<void> {
  const shell = await t.openShell();
  try {
    await loadThrough(shell, t, manifest, location, identity, ctx);
  } finally {
    await shell.close();
  }
}

async function loadThrough(
  shell: DatabaseShell,
  t: Target,
  manifest: BackupManifest,
  location: string,
  identity: string,
  ctx: StepContext,
): Promise<void> {
  const version = await execCapture(shell.client, shell.container, { cmd: ["mysql", "--version"] });
  const connect = shell.connect(/mariadb/i.test(version.stdout));
  const sql = (statement: string) =>
    execCapture(shell.client, shell.container, {
      cmd: ["mysql", ...connect, "-u", t.databaseUser, "-e", statement],
      env: { MYSQL_PWD: t.password },
    });
  const name = t.databaseName.replace(/`/g, "``");
  const recreated = await sql(
    `DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;`,
  );
  if (recreated.exitCode !== 0) {
    throw new AppError(
      "unavailable",
      msg`The database could not be recreated: ${decisiveLine(recreated) ?? `exit ${recreated.exitCode}`}.`,
      {
        hint: "Check that the database user may drop and create its own database.",
      },
    );
  }
  await ctx.log(`Recreated ${t.databaseName} (utf8mb4, utf8mb4_0900_ai_ci).`);
  // The dump goes into the database container's /tmp as a tar entry of the size the manifest records,
  // is loaded with `set names utf8mb4`, and is removed at once.
  const file = `paillasse-restore-${manifest.backupId.slice(0, 8)}.sql`;
  const plain = await openEncryptedFile(path.join(location, manifest.database.file), [identity]);
  try {
    await putStreamedFile(
      shell.client,
      shell.container,
      "/tmp",
      { name: file, size: manifest.database.plainBytes },
      plain,
    );
  } catch (error) {
    if (!(error instanceof UnreadableSource)) throw error;
    throw new AppError("unavailable", msg`The dump could not be read: ${error.message}.`, {
      hint: "Verify this backup; the instance is being put back as it was.",
    });
  }
  const loaded = await execCapture(shell.client, shell.container, {
    cmd: [
      "sh",
      "-c",
      `mysql "$@" -u "$PAILLASSE_DB_USER" --default-character-set=utf8mb4 "$PAILLASSE_DB_NAME" < /tmp/${file}; status=$?; rm -f /tmp/${file}; exit $status`,
      "load",
      ...connect,
    ],
    env: { MYSQL_PWD: t.password, PAILLASSE_DB_USER: t.databaseUser, PAILLASSE_DB_NAME: t.databaseName },
  });
  if (loaded.exitCode !== 0) {
    throw new AppError(
      "unavailable",
      msg`The dump did not load: ${decisiveLine(loaded) ?? `exit ${loaded.exitCode}`}.`,
      {
        hint: "The instance is being put back as it was.",
      },
    );
  }
  await ctx.log(`Loaded the dump (${Object.keys(manifest.database.tables).length} tables, schema ${manifest.schema}).`);
}

/** Empty the uploads directory (through a helper sharing the web container's mounts), then extract the archive. */
async function replaceUploads(
  t: Target,
  manifest: BackupManifest,
  location: string,
  identity: string,
  ctx: StepContext,
): Promise<void> {
  const web = await inspectContainer(t.web, t.webContainerName);
  const cleared = await runToCompletion(
    t.web,
    {
      Image: web.image,
      Entrypoint: ["sh"],
      Cmd: ["-c", "find /elabftw/uploads -mindepth 1 -delete"],
      User: "0",
      Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": "restore-uploads" },
      NetworkDisabled: true,
      HostConfig: { VolumesFrom: [web.id], NetworkMode: "none", RestartPolicy: { Name: "no" } },
    },
    { timeoutMs: 300_000 },
  );
  if (cleared.exitCode !== 0) {
    throw new AppError("unavailable", msg`The uploads directory could not be emptied: ${cleared.stderr.trim()}.`);
  }
  const plain = await openEncryptedFile(path.join(location, manifest.uploads.file), [identity]);
  // Extracted at / (entries elabftw/uploads/…): links that leave the uploads tree come back as they were.
  await putArchive(t.web, web.id, "/", rebaseTar(plain, "elabftw/"));
  const s = new UploadTree(manifest.uploads.files).summary();
  const links = s.symlinks + s.hardlinks;
  await ctx.log(
    `Put back ${s.files} uploaded files${links ? ` and ${links} links (as links)` : ""}, with owners, modes and times from the archive.`,
  );
}

export function restoreSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: RestorePlan,
  options: { identityFile?: string; defaultDir?: string; healthTimeoutMs?: number } = {},
): StepDefinition<RestoreResults>[] {
  const identity = async () => (await loadBackupIdentity(options.identityFile ?? backupPaths().identityFile)).identity;
  const chosen = () => readManifest(db, ring, plan.backupId);
  // One client per host for the whole restore.
  const clients = hostClients(db, ring);
  const safety = async (ctx: StepContext<RestoreResults>) => {
    const { backupId } = ctx.result("safety");
    if (!backupId) {
      await ctx.log("There is no safety backup to put back (there was no database to save).", "warn");
      return null;
    }
    return readManifest(db, ring, backupId);
  };

  async function putSafetyDatabaseBack(ctx: StepContext<RestoreResults>) {
    const saved = await safety(ctx);
    if (!saved) return;
    const { backup, manifest } = saved;
    await ctx.log("Putting the safety backup's database back.", "warn");
    await recreateAndLoad(
      await target(db, ring, plan.instanceId, clients),
      manifest,
      backup.location!,
      await identity(),
      ctx,
    );
  }
  async function putSafetyUploadsBack(ctx: StepContext<RestoreResults>) {
    const saved = await safety(ctx);
    if (!saved) return;
    const { backup, manifest } = saved;
    await ctx.log("Putting the safety backup's uploads back.", "warn");
    await replaceUploads(
      await target(db, ring, plan.instanceId, clients),
      manifest,
      backup.location!,
      await identity(),
      ctx,
    );
  }

  const steps: Record<(typeof RESTORE_STEPS)[number]["key"], Omit<StepDefinition<RestoreResults>, "key" | "title">> = {
    check: {
      async run(ctx) {
        const { backup, manifest } = await chosen();
        if (manifest.instance.id !== plan.instanceId) {
          throw new AppError("bad_input", "This backup belongs to another instance.", { hint: "Nothing was changed." });
        }
        const t = await target(db, ring, plan.instanceId, clients);
        const web = await inspectContainer(t.web, t.webContainerName);
        if (!web.mounts.some((m) => m.destination === "/elabftw/uploads")) {
          throw new AppError(
            "precondition_failed",
            msg`${web.name} keeps its uploads inside the container (nothing is mounted at /elabftw/uploads): they cannot be replaced safely, and would be lost if the container were recreated.`,
            { hint: "Mount a volume or a directory at /elabftw/uploads first. Nothing was changed." },
          );
        }
        // The schema the image requires, known without the database (which may be the very thing lost):
        // the release table for the image's version, else the backup's own when taken with the same release,
        // else the image's own console (which needs the database).
        const version = elabftwVersionOf(web.labels);
        let required = requiredSchemaFor(version);
        let source = `eLabFTW ${version} (the panel's table of releases)`;
        if (required === null && version && version === manifest.elabftwVersion && manifest.schema !== null) {
          required = manifest.schema;
          source = `eLabFTW ${version}, the release the backup was taken with`;
        }
        if (required === null) {
          const check: { required?: number; detail: Wording } | null = web.state.running
            ? await dbCheck(t.web, web)
            : null;
          if (typeof check?.required !== "number") {
            throw new AppError(
              "unavailable",
              msg`The schema the image requires is not known: its version (${version ?? "no version label"}) is not in the panel's table, and bin/console db:check could not tell (${check ? asMessage(check.detail) : msg`${web.name} is not running`}).`,
              { hint: "Start the web container with a working database, or update the panel. Nothing was changed." },
            );
          }
          required = check.required;
          source = "bin/console db:check";
        }
        if (manifest.schema !== null && manifest.schema > required) {
          throw new AppError(
            "precondition_failed",
            msg`This backup's schema (${manifest.schema}) is newer than the one the image requires (${required}): it cannot be loaded into this version (no downgrade).`,
            {
              hint: "Upgrade the instance to the version the backup was taken with, then restore. Nothing was changed.",
            },
          );
        }
        await ctx.log(
          `Backup of ${manifest.finishedAt}: eLabFTW ${manifest.elabftwVersion ?? "?"}, schema ${manifest.schema}; the image requires ${required} (from ${source}).`,
        );
        if (!web.state.running) await ctx.log(`${web.name} is not running; it is started at the end of the restore.`);
        void backup;
        return { required, backupSchema: manifest.schema, webWasRunning: web.state.running };
      },
    },

    safety: {
      async run(ctx) {
        const current = await currentDatabase(await target(db, ring, plan.instanceId, clients), ctx);
        if ("nothing" in current) {
          await ctx.log(
            `No safety backup: ${current.nothing}, so there is no current state to save. The uploads now on the volume are replaced by the backup's without a copy.`,
            "warn",
          );
          return { backupId: null, skipped: current.nothing };
        }
        const inner = backupSteps(
          db,
          ring,
          operationId,
          { instanceId: plan.instanceId, trigger: "pre_restore" },
          {
            ...options,
            linkOperation: false,
          },
        );
        const results = await runNestedSteps(inner, ctx, {
          label: "Safety backup",
          progress: async (percent) => ctx.progress(5 + percent * 0.25, "Taking a safety backup"),
          onFailure: async (done, error) => {
            if (done.prepare?.backupId) {
              await db.backup.update({
                where: { id: done.prepare.backupId },
                data: { status: "failed", finishedAt: new Date(), error: (error as Error).message },
              });
            }
          },
        }).catch((error: unknown) => {
          throw new AppError(
            "unavailable",
            msg`The safety backup failed, so nothing was restored: ${errorText(error)}`,
            {
              hint: "Fix what the safety backup reports (see the log), then restore again.",
            },
          );
        });
        const { backupId } = results.manifest!;
        await ctx.log(`Safety backup written; it can be restored like any other.`);
        return { backupId };
      },
    },

    stop: {
      async run(ctx) {
        const t = await target(db, ring, plan.instanceId, clients);
        await stopContainer(t.web, t.webContainerName, 30);
        await ctx.log(`Stopped ${t.webContainerName}.`);
        await ctx.progress(35);
      },
      async compensate(ctx) {
        const t = await target(db, ring, plan.instanceId, clients);
        if (ctx.resultIfAny("check")?.webWasRunning === false) {
          await ctx.log(`${t.webContainerName} was not running before the restore: left stopped.`);
          return;
        }
        await startContainer(t.web, t.webContainerName);
        await ctx.log(`Started ${t.webContainerName} again.`);
      },
    },

    database: {
      async run(ctx) {
        const { backup, manifest } = await chosen();
        await recreateAndLoad(
          await target(db, ring, plan.instanceId, clients),
          manifest,
          backup.location!,
          await identity(),
          ctx,
        );
        await ctx.progress(60);
      },
      compensate: putSafetyDatabaseBack,
      // A half-loaded database is worse than none: the safety backup's goes back even when this step fails.
      compensateOnFailure: true,
    },

    uploads: {
      async run(ctx) {
        const { backup, manifest } = await chosen();
        await replaceUploads(
          await target(db, ring, plan.instanceId, clients),
          manifest,
          backup.location!,
          await identity(),
          ctx,
        );
        await ctx.progress(80);
      },
      compensate: putSafetyUploadsBack,
      compensateOnFailure: true,
    },

    start: {
      async run(ctx) {
        const t = await target(db, ring, plan.instanceId, clients);
        await startContainer(t.web, t.webContainerName);
        await ctx.log(`Started ${t.webContainerName}.`);
        await ctx.progress(85);
      },
    },

    update: {
      async run(ctx) {
        const t = await target(db, ring, plan.instanceId, clients);
        const web = await inspectContainer(t.web, t.webContainerName);
        const check = await dbCheck(t.web, web);
        if (!("current" in check)) throw new AppError("unavailable", msg`db:check: ${check.detail}.`);
        if (check.upToDate) {
          await ctx.log(`Schema ${check.current}: as the image requires, no update needed.`);
          return { updated: false, schema: check.current };
        }
        await ctx.log(`Schema ${check.current}, the image requires ${check.required}: running bin/console db:update.`);
        const update = await execCapture(t.web, web.id, { cmd: ["bin/console", "db:update"] });
        for (const line of update.stdout
          .split("\n")
          .filter((l) => /^(All done|SCHEMA|Database update)/.test(l.trim()))) {
          await ctx.log(line.trim());
        }
        if (!dbUpdateSucceeded(update.exitCode ?? -1, update.stdout)) {
          throw new AppError("unavailable", msg`bin/console db:update failed (exit ${update.exitCode}).`, {
            hint: "The instance is being put back as it was before the restore.",
          });
        }
        const after = await dbCheck(t.web, web);
        if (!("upToDate" in after) || !after.upToDate)
          throw new AppError("unavailable", msg`After db:update, ${after.detail}.`);
        return { updated: true, schema: after.current };
      },
    },

    health: {
      async run(ctx) {
        const t = await target(db, ring, plan.instanceId, clients);
        const web = await inspectContainer(t.web, t.webContainerName);
        await waitForHealth(t.web, web, {
          timeoutMs: options.healthTimeoutMs ?? 120_000,
          hint: "The instance is being put back as it was before the restore.",
        });
        await ctx.log("/healthcheck.php answered ok.");
      },
    },
  };
  return RESTORE_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

export async function finishRestore(
  db: Db,
  operationId: string,
  plan: RestorePlan,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<void> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: { error: true, instance: { select: { unitId: true, name: true } } },
  });
  await recordAuditEvent(db, {
    actor: { type: "system", label: "restore" },
    action: "backup.restored",
    outcome: outcome === "succeeded" ? "success" : "failure",
    reason: outcome === "succeeded" ? null : `${outcome}: ${op.error ?? ""}`.slice(0, 500),
    target: { type: "backup", id: plan.backupId },
    instanceId: plan.instanceId,
    unitId: op.instance?.unitId ?? null,
    params: { name: op.instance?.name ?? null, result: outcome },
  });
}

export const restoreOperation = defineOperation({
  kind: "restore",
  version: 1,
  params: restorePlanSchema,
  steps: (run) => restoreSteps(run.db, run.ring, run.operationId, run.params, run.options.backup),
  finish: (run, outcome) => finishRestore(run.db, run.operationId, run.params, outcome),
});
