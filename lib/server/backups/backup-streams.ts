import { openInstanceSecrets, requireDatabasePassword } from "../instances/instance-secrets";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { KeyRing } from "../../crypto";
import { execCapture, execStream, getArchive, inspectContainer, streamError } from "../../docker";
import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { type StepContext } from "../operations/journal";
import { DumpStatsCollector } from "./dump-stats";
import { writeEncryptedFile, type WrittenFile } from "./encrypted-file";
import { tarEntryLister, type TarEntry } from "./tar-files";
import { UploadTree } from "./upload-tree";
import { DATABASE_FILE, UPLOADS_FILE } from "./restore-point";
import { openDatabaseShell, type DatabaseShell } from "./database-shell";
import { msg } from "../../i18n/message";
import { webLayoutOf } from "../instances/elabftw-releases";

/*
 * The two streams of a restore point, from the instance's containers to the
 * disk: the database dump (mysqldump through `docker exec`, counted and
 * checked as it passes) and the uploads archive (the Docker archive API,
 * listed entry by entry), each compressed and encrypted on its way. Used by
 * the backup steps (./steps/) and by the upgrade's dump at the stop.
 */

/** Flags for a consistent, complete, re-loadable dump; the password goes through the environment. */
export const DUMP_FLAGS = [
  "--single-transaction",
  "--quick",
  "--routines",
  "--triggers",
  "--events",
  "--hex-blob",
  "--default-character-set=utf8mb4",
  "--no-tablespaces",
];
/** Known only to MySQL's mysqldump (MariaDB's refuses it): no GTID statements in a dump meant for a fresh server. */
export const MYSQL_ONLY_FLAGS = ["--set-gtid-purged=OFF"];

export type UploadEntry = TarEntry;

export const utcStamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
export const mib = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MiB`;

export interface Prepared {
  backupId: string;
  dir: string;
  partialDir: string;
  recipients: string[];
  startedAt: string;
  image: string;
  elabftwVersion: string | null;
}

/**
 * Progress of the two streams that run at once, throttled to one database
 * write a second: bytes of each, overall rate, share of the expected uploads.
 */
export function progressReporter(ctx: StepContext, from: number, to: number, expectedUploads: number | null) {
  const started = Date.now();
  const bytes = { database: 0, uploads: 0 };
  let last = 0;
  return (which: keyof typeof bytes) => (total: number) => {
    bytes[which] = total;
    const now = Date.now();
    if (now - last < 1_000) return;
    last = now;
    const rate = (bytes.database + bytes.uploads) / Math.max(0.001, (now - started) / 1000);
    const share = expectedUploads ? Math.min(1, bytes.uploads / expectedUploads) : 0;
    void ctx
      .progress(
        from + (to - from) * share,
        `Database ${mib(bytes.database)}, uploads ${mib(bytes.uploads)} at ${mib(rate)}/s`,
      )
      .catch(() => undefined);
  };
}

/** What the backup steps read of an instance (secrets included: the database password). */
export function instanceLoader(db: Db, instanceId: string) {
  return () =>
    db.instance.findUniqueOrThrow({
      where: { id: instanceId },
      select: {
        id: true,
        name: true,
        siteUrl: true,
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
        imageRepository: true,
        imageTag: true,
        elabftwVersion: true,
        observation: true,
        secretsEnc: true,
        unit: { select: { code: true } },
        backupPolicy: {
          select: {
            id: true,
            destinationDir: true,
            extraRecipients: true,
            repositoryId: true,
            offsiteRepositoryId: true,
          },
        },
      },
    });
}

export type LoadedInstance = Awaited<ReturnType<ReturnType<typeof instanceLoader>>>;

/** The Backup row of a restore point being written (its place: a directory, or a repository). */
export function startBackupRow(
  db: Db,
  env: {
    operationId: string;
    plan: { trigger: "scheduled" | "manual" | "pre_upgrade" | "pre_restore" };
    options: { linkOperation?: boolean };
  },
  instance: LoadedInstance,
  startedAt: Date,
  place: { location: string } | { format: "restic"; repositoryId: string },
) {
  return db.backup.create({
    data: {
      id: randomUUID(),
      instanceId: instance.id,
      policyId: instance.backupPolicy?.id ?? null,
      operationId: env.options.linkOperation === false ? null : env.operationId,
      trigger: env.plan.trigger,
      status: "running",
      ...place,
      startedAt,
      imageTag: `${instance.imageRepository}:${instance.imageTag}`,
      elabftwVersion: instance.elabftwVersion,
    },
  });
}

/** What a dump needs before anything is written: where the database is, and its password. */
export function requireDumpable(ring: KeyRing, instance: LoadedInstance): void {
  if (instance.databasePlacement === "external" && !instance.databaseAddress) {
    throw new AppError("precondition_failed", "The external database server's address is not known to the panel.", {
      hint: "Edit the instance and give the database address.",
    });
  }
  requireDatabasePassword(openInstanceSecrets(ring, instance));
}

/**
 * One more dump of an instance's database, on its own: the upgrade's last one,
 * taken once the web container has stopped (so that nothing written before
 * the stop is lost if the upgrade rolls back). Same flags, same checks
 * ("-- Dump completed", the exit code, errors), encrypted to `recipients`.
 */
export async function dumpDatabaseTo(
  db: Db,
  ring: KeyRing,
  ctx: StepContext,
  instanceId: string,
  out: { path: string; recipients: string[] },
): Promise<WrittenFile & { tables: Record<string, number>; schema: number | null }> {
  const instance = await instanceLoader(db, instanceId)();
  const password = requireDatabasePassword(openInstanceSecrets(ring, instance));
  const shell = await openDatabaseShell(db, ring, instance);
  try {
    const { tables, schema, ...file } = await dumpThrough(
      shell,
      ctx,
      out,
      instance,
      password,
      () => undefined,
      new AbortController().signal,
    );
    return { bytes: file.bytes, sha256: file.sha256, plainBytes: file.plainBytes, tables, schema };
  } finally {
    await shell.close();
  }
}

/** The dump, streamed out of the database container through exec, counted and encrypted on its way to disk. */
export async function dumpDatabase(
  db: Db,
  ring: KeyRing,
  ctx: StepContext,
  p: Prepared,
  instance: LoadedInstance,
  onBytes: (total: number) => void,
  signal: AbortSignal,
) {
  const password = requireDatabasePassword(openInstanceSecrets(ring, instance));
  const shell = await openDatabaseShell(db, ring, instance);
  try {
    return await dumpThrough(
      shell,
      ctx,
      { path: path.join(p.partialDir, DATABASE_FILE), recipients: p.recipients },
      instance,
      password,
      onBytes,
      signal,
    );
  } finally {
    await shell.close();
  }
}

async function dumpThrough(
  shell: DatabaseShell,
  ctx: StepContext,
  out: { path: string; recipients: string[] },
  instance: Pick<LoadedInstance, "databaseUser" | "databaseName" | "databaseAddress" | "databasePort">,
  password: string,
  onBytes: (total: number) => void,
  signal: AbortSignal,
) {
  const { consumed, ...rest } = await dumpInto(
    shell,
    ctx,
    (stdout) => writeEncryptedFile(stdout, out.path, out.recipients, { onPlainBytes: onBytes }),
    instance,
    password,
    signal,
  );
  await ctx.log(
    `Database: ${Object.keys(rest.tables).length} tables, ${Object.values(rest.tables).reduce((a, b) => a + b, 0)} rows, ${mib(consumed.plainBytes)} dumped, ${mib(consumed.bytes)} encrypted.`,
  );
  return { ...consumed, ...rest };
}

/**
 * mysqldump through exec into `consume` (which reads the stream as it comes), with the dump's own
 * checks: the exit code, "-- Dump completed" at the end, no error on stderr, tables and rows counted
 * on the way. Throws when a check fails, after `consume` has read everything: a consumer that must
 * not keep a bad dump waits for this to resolve before it commits anything.
 */
export async function dumpInto<T>(
  shell: DatabaseShell,
  ctx: StepContext,
  consume: (stdout: PassThrough, schema: number | null) => Promise<T>,
  instance: Pick<LoadedInstance, "databaseUser" | "databaseName" | "databaseAddress" | "databasePort">,
  password: string,
  signal: AbortSignal,
): Promise<{ consumed: T; file: string; server: string; tables: Record<string, number>; schema: number | null }> {
  const { client, container } = shell;
  const { env, connect, flags, server, schemaVersion } = await prepareDump(shell, ctx, instance, password);
  const stdout = new PassThrough({ highWaterMark: 1024 * 1024 });
  // Read by two pipelines at once (the row counter and the encrypted file): more listeners than usual.
  stdout.setMaxListeners(32);
  const stats = new DumpStatsCollector();
  let stderr = "";
  const stderrSink = new Writable({
    write(chunk: Buffer, _e, done) {
      if (stderr.length < 65536) stderr += chunk.toString("utf8");
      done();
    },
  });
  const counted = pipeline(stdout, stats);
  const written = consume(stdout, schemaVersion);
  stdout.on("error", () => undefined); // reported through the pipelines that read it
  const stop = () => stdout.destroy(new Error("stopped because the other stream failed"));
  signal.addEventListener("abort", stop, { once: true });
  let exitCode: number | null = null;
  try {
    const result = await execStream(
      client,
      container,
      { cmd: ["mysqldump", ...connect, "-u", instance.databaseUser, ...flags, instance.databaseName], env },
      { stdout, stderr: stderrSink },
    );
    exitCode = result.exitCode;
    stdout.end();
  } catch (error) {
    stdout.destroy(error as Error);
    throw error;
  } finally {
    signal.removeEventListener("abort", stop);
    await Promise.allSettled([counted, written]);
  }
  const consumed = await written;
  await counted;
  refuseBadDump(exitCode, stats.stats.completed, stderr);
  return { consumed, file: DATABASE_FILE, server, tables: stats.stats.tables, schema: schemaVersion };
}

function refuseBadDump(exitCode: number | null, completed: boolean, stderr: string): void {
  const problem =
    exitCode !== 0
      ? `mysqldump exited with code ${exitCode}`
      : !completed
        ? "the dump does not end with “-- Dump completed”"
        : /\berror\b/i.test(stderr)
          ? "mysqldump reported an error"
          : null;
  if (problem) {
    const detail = stderr.trim().split("\n").filter(Boolean).at(-1);
    throw new AppError("unavailable", msg`The database dump failed: ${problem}${detail ? ` (${detail})` : ""}.`, {
      hint: "Nothing was kept. Check the database container's state and logs, then run the backup again.",
    });
  }
}

/** The database would not even answer the dump's helper (a user allowed from `localhost` only, say). */
export class DumpRefused extends AppError {
  constructor(cause: AppError) {
    super(cause.code, cause.text, { hint: cause.hintText, cause });
    this.name = "DumpRefused";
  }
}

type DumpedInstance = Pick<LoadedInstance, "databaseUser" | "databaseName" | "databaseAddress" | "databasePort">;

/** What every dump needs first: the client's flavour, the connection options, the schema it is at. */
async function prepareDump(shell: DatabaseShell, ctx: StepContext, instance: DumpedInstance, password: string) {
  const { client, container } = shell;
  const env = { MYSQL_PWD: password };
  const version = await execCapture(client, container, { cmd: ["mysqldump", "--version"] });
  if (version.exitCode !== 0) {
    throw new AppError("unavailable", msg`mysqldump cannot run in ${container} (exit ${version.exitCode}).`, {
      hint: "Check that the database container is running.",
    });
  }
  const mariadb = /mariadb/i.test(version.stdout);
  const connect = shell.connect(mariadb);
  const schema = await execCapture(client, container, {
    cmd: [
      "mysql",
      ...connect,
      "--batch",
      "--skip-column-names",
      "-u",
      instance.databaseUser,
      instance.databaseName,
      "-e",
      "SELECT conf_value FROM config WHERE conf_name = 'schema'",
    ],
    env,
  });
  if (schema.exitCode !== 0) {
    throw new AppError(
      "unavailable",
      msg`The database refused the panel: ${schema.stderr.trim().split("\n").at(-1) ?? `exit ${schema.exitCode}`}.`,
      {
        hint: shell.external
          ? "Check that the database server answers from the web host, and the stored password."
          : "Check the database container and the stored password (adopt the instance again if it changed).",
      },
    );
  }
  const flags = [...DUMP_FLAGS, ...(mariadb ? [] : MYSQL_ONLY_FLAGS)];
  await ctx.log(
    shell.external
      ? `Dumping ${instance.databaseName} from the external server ${instance.databaseAddress}:${instance.databasePort} (${mariadb ? "MariaDB" : "MySQL"} mysqldump in a throw-away ${shell.image} container on the web host).`
      : `Dumping ${instance.databaseName} from ${shell.dumpFrom ?? container} (${mariadb ? "MariaDB" : "MySQL"} mysqldump).`,
  );
  const current = Number(schema.stdout.trim());
  const schemaVersion = Number.isInteger(current) && current > 0 ? current : null;
  return { env, connect, flags, server: version.stdout.trim().slice(0, 200), schemaVersion };
}

/**
 * mysqldump writes the dump itself into `file`, on a volume its container mounts: nothing passes
 * through the panel (the restic path: the file goes into the snapshot as it is). The same checks as
 * a streamed dump (exit code, the closing "-- Dump completed", no error reported); its rows are
 * counted when the verification reads the dump back. Progress is the file's size, every second.
 */
export async function dumpToStage(
  shell: DatabaseShell,
  ctx: StepContext,
  instance: DumpedInstance,
  password: string,
  file: string,
  onBytes: (bytes: number) => void,
): Promise<{ bytes: number; server: string; schema: number | null }> {
  const { env, connect, flags, server, schemaVersion } = await prepareDump(shell, ctx, instance, password).catch(
    (error: unknown) => {
      throw error instanceof AppError ? new DumpRefused(error) : error;
    },
  );
  const script = [
    'f="$1"; shift',
    'mysqldump "$@" > "$f" & pid=$!',
    'while kill -0 "$pid" 2>/dev/null; do echo "size $(stat -c %s "$f")"; sleep 1; done',
    'wait "$pid"; code=$?',
    'echo "size $(stat -c %s "$f")"',
    'if tail -c 256 "$f" | grep -q -- "-- Dump completed"; then echo "completed yes"; fi',
    'echo "exit $code"',
  ].join("\n");
  let bytes = 0;
  let exit: number | null = null;
  let completed = false;
  let pending = "";
  const lines = new Writable({
    write(chunk: Buffer, _e, done) {
      pending += chunk.toString("utf8");
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) {
        const [key, value = ""] = line.split(" ");
        if (key === "size" && /^\d+$/.test(value)) onBytes((bytes = Number(value)));
        else if (key === "exit" && /^\d+$/.test(value)) exit = Number(value);
        else if (key === "completed") completed = true;
      }
      done();
    },
  });
  let stderr = "";
  const errors = new Writable({
    write(chunk: Buffer, _e, done) {
      if (stderr.length < 65536) stderr += chunk.toString("utf8");
      done();
    },
  });
  const args = [...connect, "-u", instance.databaseUser, ...flags, instance.databaseName];
  const result = await execStream(
    shell.client,
    shell.container,
    { cmd: ["sh", "-c", script, "dump", file, ...args], env },
    { stdout: lines, stderr: errors },
  );
  refuseBadDump(result.exitCode === 0 ? exit : result.exitCode, completed, stderr);
  return { bytes, server, schema: schemaVersion };
}

/** The uploads tree, streamed out of the web container as a tar, every file hashed on the way, encrypted to disk. */
export async function archiveUploads(
  db: Db,
  ring: KeyRing,
  ctx: StepContext,
  p: Prepared,
  instance: LoadedInstance,
  onBytes: (total: number) => void,
  signal: AbortSignal,
) {
  const client = await clientFor(db, ring, instance.webHostId);
  const web = await inspectContainer(client, instance.webContainerName);
  if (signal.aborted) throw new Error("stopped because the database dump failed");
  const archive = await getArchive(client, web.id, webLayoutOf(web).uploads);
  const files: UploadEntry[] = [];
  const extract = tarEntryLister((entry) => files.push(entry));
  const source = new PassThrough({ highWaterMark: 1024 * 1024 });
  // Read by two pipelines at once (the file lister and the encrypted file).
  source.setMaxListeners(32);
  // Its errors reach us through the pipelines that read it; none may escape as an uncaught error.
  source.on("error", () => undefined);
  // Stopped from our side of the pipeline, which then closes the response itself.
  const stop = () => source.destroy(new Error("stopped because the database dump failed"));
  signal.addEventListener("abort", stop, { once: true });
  const listed = pipeline(source, extract);
  const written = writeEncryptedFile(source, path.join(p.partialDir, UPLOADS_FILE), p.recipients, {
    onPlainBytes: onBytes,
    // Uploads are mostly PDFs and images, already compressed: gzip only stores them (level 0, still a
    // .gz that gunzip opens), which is about 7 times faster here than its fastest compression.
    gzipLevel: 0,
  });
  try {
    await pipeline(archive, source);
  } catch (error) {
    throw streamError(error, client.host, `Reading ${webLayoutOf(web).uploads}`);
  } finally {
    signal.removeEventListener("abort", stop);
    await Promise.allSettled([listed, written]);
  }
  const file = await written;
  await listed;
  await writeFile(path.join(p.partialDir, "uploads-files.json.partial"), JSON.stringify(files));
  const s = new UploadTree(files).summary();
  const links =
    s.symlinks + s.hardlinks ? `, ${s.symlinks} symbolic and ${s.hardlinks} hard links (kept as links)` : "";
  await ctx.log(`Uploads: ${s.files} files, ${mib(s.bytes)}${links}, ${mib(file.bytes)} encrypted.`);
  return { ...file, file: UPLOADS_FILE, fileCount: s.files };
}
