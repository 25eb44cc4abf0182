import { openDatabaseSpec, openInstanceSecrets, requireDatabasePassword } from "../instances/instance-secrets";
import path from "node:path";
import type { Readable } from "node:stream";
import { type KeyRing } from "../../crypto";
import { execCapture, inspectContainer, putArchive, runToCompletion, startContainer } from "../../docker";
import { createContainer, DockerError, envToRecord, imageExists, pullImage, type DockerClient } from "../../docker";
import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { hostClients, type HostClients } from "../hosts/clients";
import { decisiveLine } from "../instances/elabftw-console";
import { type StepContext } from "../operations/journal";
import { type BackupManifest } from "./restore-point";
import { openEncryptedFile } from "./encrypted-file";
import { putStreamedFile, rebaseTar, UnreadableSource } from "./tar-files";
import { UploadTree } from "./upload-tree";
import { openDatabaseShell, queryThroughShell, type DatabaseShell } from "./database-shell";
import { msg } from "../../i18n/message";
import { webLayoutOf } from "../instances/elabftw-releases";

/*
 * Putting the parts of a restore point back into an instance: reaching its
 * containers (target), the database (re-created from its recorded definition
 * when it was removed, then loaded from a dump) and the uploads. Used by the
 * restore steps (./restore-steps/) and by an upgrade's rollback.
 */

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

export const UNREACHABLE_SERVER = /ERROR 200[2356]|Can't connect|Lost connection|server has gone away/i;

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
export async function recreateDatabaseContainer(t: Target, ctx: StepContext, timeoutMs: number): Promise<void> {
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
  await waitForDatabaseServer(
    client,
    name,
    timeoutMs,
    "Read its logs (docker logs), then restore again. Nothing of the instance was changed.",
  );
  await ensureDatabaseAndUser(client, name, env.MYSQL_ROOT_PASSWORD, t, ctx);
}

/**
 * On a re-created server (its data directory fresh), make sure the instance's database and user
 * exist, as root: the image's own MYSQL_DATABASE/MYSQL_USER may name others. Without a root
 * password in its definition, nothing is done (the image's variables are all there is).
 */
export async function ensureDatabaseAndUser(
  client: DockerClient,
  container: string,
  rootPassword: string | undefined,
  t: Pick<Target, "databaseName" | "databaseUser" | "password">,
  ctx: StepContext,
): Promise<void> {
  if (!rootPassword) return;
  const db = t.databaseName.replace(/`/g, "``");
  const user = t.databaseUser.replace(/'/g, "''");
  // The statement (it holds the user's password) goes through the environment, as the passwords do: not in ps.
  const ensured = await execCapture(client, container, {
    cmd: ["sh", "-c", 'mysql --protocol=TCP -h127.0.0.1 -uroot -e "$PAILLASSE_SQL"'],
    env: {
      MYSQL_PWD: rootPassword,
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

/** Wait until a new database container's server answers over TCP (a fresh data directory is initialised first). */
export async function waitForDatabaseServer(
  client: DockerClient,
  name: string,
  timeoutMs: number,
  hint: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Over TCP: while a fresh data directory is initialised, the temporary server listens on its socket only.
    const ping = await execCapture(client, name, {
      cmd: ["mysqladmin", "--protocol=TCP", "-h127.0.0.1", "ping"],
    });
    if (ping.exitCode === 0) return;
    if (Date.now() > deadline) {
      throw new AppError(
        "unavailable",
        msg`The re-created database container ${name} did not answer within ${Math.round(timeoutMs / 1000)} s.`,
        { hint },
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
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
      const counted = await queryThroughShell(
        shell,
        t.databaseUser,
        t.password,
        `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${name}'`,
      );
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

/** A dump to load, wherever it comes from (an encrypted file, a restic snapshot). */
export interface DumpToLoad {
  /** Names the temporary file (a backup's id). */
  id: string;
  /** Exact size in bytes: it goes into the database container as one tar entry. */
  size: number;
  /** How many tables it holds, when the restore point says (counted when taken or at its verification). */
  tables: number | null;
  schema: number | null;
  open: () => Promise<Readable>;
}

/** The dump of a restore point written as encrypted files. */
export function manifestDump(manifest: BackupManifest, location: string, identity: string): DumpToLoad {
  return {
    id: manifest.backupId,
    size: manifest.database.plainBytes,
    tables: Object.keys(manifest.database.tables).length,
    schema: manifest.schema,
    open: () => openEncryptedFile(path.join(location, manifest.database.file), [identity]),
  };
}

/** The database server flavour decides the collation (MySQL 8: utf8mb4_0900_ai_ci). */
export async function recreateAndLoad(
  t: Target,
  manifest: BackupManifest,
  location: string,
  identity: string,
  ctx: StepContext,
): Promise<void> {
  await recreateAndLoadDump(t, manifestDump(manifest, location, identity), ctx);
}

export async function recreateAndLoadDump(t: Target, dump: DumpToLoad, ctx: StepContext): Promise<void> {
  const shell = await t.openShell();
  try {
    await loadThrough(shell, t, dump, ctx);
  } finally {
    await shell.close();
  }
}

/** Drop and re-create the database, then load the dump into it through `shell` (as the instance's user). */
export async function loadThrough(
  shell: DatabaseShell,
  t: Pick<Target, "databaseName" | "databaseUser" | "password">,
  dump: DumpToLoad,
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
  // The dump goes into the database container's /tmp as a tar entry of the size the restore point records,
  // is loaded with `set names utf8mb4`, and is removed at once.
  const file = `paillasse-restore-${dump.id.slice(0, 8)}.sql`;
  const plain = await dump.open();
  try {
    await putStreamedFile(shell.client, shell.container, "/tmp", { name: file, size: dump.size }, plain);
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
  await ctx.log(
    dump.tables === null
      ? `Loaded the dump (schema ${dump.schema}).`
      : `Loaded the dump (${dump.tables} tables, schema ${dump.schema}).`,
  );
}

/** Empty the uploads directory (through a helper sharing the web container's mounts), then extract the archive. */
export async function replaceUploads(
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
      Cmd: ["-c", `find ${webLayoutOf(web).uploads} -mindepth 1 -delete`],
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
