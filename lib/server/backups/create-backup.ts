import { readObservation } from "../instances/observe";
import { openInstanceSecrets, requireDatabasePassword } from "../instances/instance-secrets";
import type { Actor, RequestContext } from "../../kernel";
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, statfs, writeFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { KeyRing } from "../../crypto";
import { execCapture, execStream, getArchive, inspectContainer, streamError } from "../../docker";
import { backupPaths } from "../../env";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { defineOperation } from "../operations/define";
import {
  createOperation,
  OperationConflict,
  type StepContext,
  type StepDefinition,
  type SendJob,
} from "../operations/journal";
import { DumpStatsCollector } from "./dump-stats";
import { writeEncryptedFile, type WrittenFile } from "./encrypted-file";
import { loadBackupIdentity } from "./identity";
import { tarEntryLister, type TarEntry } from "./tar-files";
import { UploadTree } from "./upload-tree";
import { DATABASE_FILE, UPLOADS_FILE, writeManifest, type BackupManifest } from "./restore-point";
import { pruneBackups } from "./retention";
import { requestVerification } from "./verify-backup";
import { z } from "zod";
import { openDatabaseShell, type DatabaseShell } from "./database-shell";
import { asMessage, msg } from "../../i18n/message";

/**
 * One restore point of one instance: the database dump, the uploads archive
 * and a manifest, under <destination>/<unit>/<instance>/<UTC time>/. Both
 * data files are compressed and encrypted (age) on their way from the
 * container to the disk; the directory is built under a ".partial" name and
 * renamed only once complete, so a failed or interrupted backup leaves
 * nothing that looks like a restore point.
 */
export const BACKUP_STEPS = [
  { key: "prepare", title: "Check the instance and the destination" },
  { key: "data", title: "Dump the database and archive the uploads" },
  { key: "manifest", title: "Write the manifest and seal the restore point" },
] as const;

/** An upgrade's dump taken at the stop, beside its pre-upgrade restore point (removed when the upgrade ends). */

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

/** The params of a backup operation (version 1); `name` is the instance's, for the operations list. */
export const backupPlanSchema = z.object({
  instanceId: z.string().min(1),
  name: z.string().optional(),
  trigger: z.enum(["scheduled", "manual", "pre_upgrade", "pre_restore"]),
});
export type BackupPlan = z.infer<typeof backupPlanSchema>;

/** What each step returns, by key. */
export interface BackupResults {
  prepare: Prepared;
  data: {
    database: BackupManifest["database"] & { schema: number | null };
    uploads: WrittenFile & { file: string; fileCount: number };
  };
  manifest: { backupId: string; totalBytes: number; manifestSha256: string };
}

const utcStamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replace(/:/g, "-");
const mib = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MiB`;

/** Queue a backup of one instance: one operation per instance at a time (the journal refuses a second). */
export async function requestBackup(
  db: Db,
  actor: Actor | null,
  plan: BackupPlan,
  context: RequestContext | null,
  send?: SendJob,
): Promise<string> {
  const instance = await db.instance.findUnique({
    where: { id: plan.instanceId },
    select: { id: true, name: true, unitId: true, webHostId: true },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  const operationId = await createOperation(
    db,
    {
      operation: backupOperation,
      instanceId: instance.id,
      hostId: instance.webHostId,
      requestedById: actor?.id ?? null,
      params: { instanceId: instance.id, name: instance.name, trigger: plan.trigger },
      steps: [...BACKUP_STEPS],
    },
    async (tx, operationId) => {
      await appendAuditEvent(tx, {
        actor: actor
          ? { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId }
          : { type: "system", label: "backup schedule" },
        ip: context?.ip,
        userAgent: context?.userAgent,
        action: "backup.request",
        outcome: "success",
        target: { type: "operation", id: operationId },
        instanceId: instance.id,
        unitId: instance.unitId,
        params: { name: instance.name, trigger: plan.trigger },
      });
    },
    send,
  );
  return operationId;
}

export { OperationConflict };

interface Prepared {
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
function progressReporter(ctx: StepContext, from: number, to: number, expectedUploads: number | null) {
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
function instanceLoader(db: Db, instanceId: string) {
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
        backupPolicy: { select: { id: true, destinationDir: true, extraRecipients: true } },
      },
    });
}

type LoadedInstance = Awaited<ReturnType<ReturnType<typeof instanceLoader>>>;

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
async function dumpDatabase(
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
      : `Dumping ${instance.databaseName} from ${container} (${mariadb ? "MariaDB" : "MySQL"} mysqldump).`,
  );
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
  const written = writeEncryptedFile(stdout, out.path, out.recipients, {
    onPlainBytes: onBytes,
  });
  stdout.on("error", () => undefined); // reported through the pipelines that read it
  const stop = () => stdout.destroy(new Error("stopped because the uploads archive failed"));
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
  const file = await written;
  await counted;
  const problem =
    exitCode !== 0
      ? `mysqldump exited with code ${exitCode}`
      : !stats.stats.completed
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
  const tables = stats.stats.tables;
  await ctx.log(
    `Database: ${Object.keys(tables).length} tables, ${Object.values(tables).reduce((a, b) => a + b, 0)} rows, ${mib(file.plainBytes)} dumped, ${mib(file.bytes)} encrypted.`,
  );
  const current = Number(schema.stdout.trim());
  return {
    ...file,
    file: DATABASE_FILE,
    server: version.stdout.trim().slice(0, 200),
    tables,
    schema: Number.isInteger(current) && current > 0 ? current : null,
  };
}

/** The uploads tree, streamed out of the web container as a tar, every file hashed on the way, encrypted to disk. */
async function archiveUploads(
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
  const archive = await getArchive(client, web.id, "/elabftw/uploads");
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
    throw streamError(error, client.host, "Reading /elabftw/uploads");
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

export function backupSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: BackupPlan,
  options: {
    identityFile?: string;
    defaultDir?: string;
    /** Link the Backup row to this operation (default). A safety backup inside a restore is not linked. */
    linkOperation?: boolean;
  } = {},
): StepDefinition<BackupResults>[] {
  const load = instanceLoader(db, plan.instanceId);
  const prepared = (ctx: StepContext<BackupResults>) => ctx.result("prepare");

  const steps: Record<(typeof BACKUP_STEPS)[number]["key"], Omit<StepDefinition<BackupResults>, "key" | "title">> = {
    prepare: {
      async run(ctx) {
        const instance = await load();
        if (instance.databasePlacement === "external" && !instance.databaseAddress) {
          throw new AppError(
            "precondition_failed",
            "The external database server's address is not known to the panel.",
            {
              hint: "Edit the instance and give the database address.",
            },
          );
        }
        requireDatabasePassword(openInstanceSecrets(ring, instance));
        const paths = backupPaths();
        const identity = await loadBackupIdentity(options.identityFile ?? paths.identityFile);
        const destination = instance.backupPolicy?.destinationDir ?? options.defaultDir ?? paths.defaultDir;
        const startedAt = new Date();
        const dir = path.join(
          /* turbopackIgnore: true */ destination,
          instance.unit.code,
          instance.name,
          utcStamp(startedAt),
        );
        const partialDir = `${dir}.partial`;
        try {
          await mkdir(partialDir, { recursive: true, mode: 0o700 });
        } catch (error) {
          throw new AppError(
            "unavailable",
            msg`The backup destination cannot be written: ${(error as Error).message}.`,
            {
              hint: "Check that the destination directory exists, is mounted and is writable by the panel.",
            },
          );
        }
        const free = await statfs(partialDir)
          .then((s) => s.bavail * s.bsize)
          .catch(() => null);
        await ctx.log(
          `Writing to ${path.join(instance.unit.code, instance.name, utcStamp(startedAt))} under the destination${free !== null ? ` (${mib(free)} free)` : ""}.`,
        );
        const backup = await db.backup.create({
          data: {
            id: randomUUID(),
            instanceId: instance.id,
            policyId: instance.backupPolicy?.id ?? null,
            operationId: options.linkOperation === false ? null : operationId,
            trigger: plan.trigger,
            status: "running",
            location: dir,
            startedAt,
            imageTag: `${instance.imageRepository}:${instance.imageTag}`,
            elabftwVersion: instance.elabftwVersion,
          },
        });
        await ctx.progress(5, "Prepared");
        return {
          backupId: backup.id,
          dir,
          partialDir,
          recipients: [identity.recipient, ...(instance.backupPolicy?.extraRecipients ?? [])],
          startedAt: startedAt.toISOString(),
          image: `${instance.imageRepository}:${instance.imageTag}`,
          elabftwVersion: instance.elabftwVersion,
        } satisfies Prepared;
      },
      async compensate(ctx) {
        const p = prepared(ctx);
        await rm(p.partialDir, { recursive: true, force: true });
        await ctx.log("Removed the unfinished restore point.");
      },
    },

    data: {
      async run(ctx) {
        const p = prepared(ctx);
        const instance = await load();
        const expected = readObservation(instance.observation)?.uploadsBytes ?? null;
        const report = progressReporter(ctx, 5, 90, expected);
        await ctx.intent({
          dump: instance.databaseName,
          archive: "/elabftw/uploads",
          files: [DATABASE_FILE, UPLOADS_FILE],
        });
        // Both streams at once: the dump and the uploads are read at nearly the same moment, and the
        // restore point takes the time of the longer of the two, not their sum. One failing stops the other.
        const abort = new AbortController();
        const both = [
          dumpDatabase(db, ring, ctx, p, instance, report("database"), abort.signal),
          archiveUploads(db, ring, ctx, p, instance, report("uploads"), abort.signal),
        ].map((run) =>
          run.catch((error: unknown) => {
            abort.abort(error);
            throw error;
          }),
        );
        const settled = await Promise.allSettled(both);
        const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) {
          // The first failure is the cause; the other stream was stopped because of it.
          throw abort.signal.reason ?? failed.reason;
        }
        const [database, uploads] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
          Awaited<ReturnType<typeof dumpDatabase>>,
          Awaited<ReturnType<typeof archiveUploads>>,
        ];
        await ctx.progress(90, "Database dumped and uploads archived");
        return { database, uploads };
      },
    },

    manifest: {
      async run(ctx) {
        const p = prepared(ctx);
        const instance = await load();
        const { database, uploads } = ctx.result("data");
        const { readFile } = await import("node:fs/promises");
        const listFile = path.join(p.partialDir, "uploads-files.json.partial");
        const files = JSON.parse(await readFile(listFile, "utf8")) as UploadEntry[];
        const finishedAt = new Date();
        const { schema, ...databaseEntry } = database;
        const manifest: BackupManifest = {
          format: "paillasse-backup/2",
          backupId: p.backupId,
          instance: { id: instance.id, name: instance.name, unit: instance.unit.code, siteUrl: instance.siteUrl },
          startedAt: p.startedAt,
          finishedAt: finishedAt.toISOString(),
          durationMs: finishedAt.getTime() - new Date(p.startedAt).getTime(),
          image: p.image,
          elabftwVersion: p.elabftwVersion,
          schema,
          recipients: p.recipients,
          database: databaseEntry,
          uploads: {
            file: uploads.file,
            bytes: uploads.bytes,
            sha256: uploads.sha256,
            plainBytes: uploads.plainBytes,
            files,
          },
        };
        const { text, sha256: manifestSha256 } = await writeManifest(ring, p.partialDir, manifest);
        await rm(listFile, { force: true });
        await rename(p.partialDir, p.dir);
        const totalBytes = database.bytes + uploads.bytes + Buffer.byteLength(text);
        await db.backup.update({
          where: { id: p.backupId },
          data: {
            status: "succeeded",
            finishedAt,
            databaseBytes: BigInt(database.bytes),
            databaseSha256: database.sha256,
            uploadsBytes: BigInt(uploads.bytes),
            uploadsSha256: uploads.sha256,
            uploadsFileCount: new UploadTree(files).summary().files,
            manifestSha256,
            totalBytes: BigInt(totalBytes),
            schemaVersion: schema,
          },
        });
        await ctx.log(`Restore point complete: ${mib(totalBytes)} in ${Math.round(manifest.durationMs / 1000)} s.`);
        return { backupId: p.backupId, totalBytes, manifestSha256 };
      },
    },
  };
  return BACKUP_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

/** After the run: the Backup row says how it ended, the audit trail too; nothing unfinished stays on disk. */
export async function finishBackup(
  db: Db,
  operationId: string,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<string | null> {
  const op = await db.operation.findUniqueOrThrow({
    where: { id: operationId },
    select: {
      error: true,
      errorText: true,
      instanceId: true,
      backup: { select: { id: true, location: true } },
      instance: { select: { unitId: true, name: true } },
    },
  });
  if (op.backup && outcome !== "succeeded") {
    if (op.backup.location) await rm(`${op.backup.location}.partial`, { recursive: true, force: true });
    await db.backup.update({
      where: { id: op.backup.id },
      data: {
        status: "failed",
        finishedAt: new Date(),
        error: op.error ?? "The backup did not finish.",
        errorText: (op.errorText ?? asMessage("The backup did not finish.")) as object,
      },
    });
  }
  await recordAuditEvent(db, {
    actor: { type: "system", label: "backup" },
    action: outcome === "succeeded" ? "backup.created" : "backup.failed",
    outcome: outcome === "succeeded" ? "success" : "failure",
    reason: outcome === "succeeded" ? null : (op.error ?? outcome).slice(0, 500),
    target: op.backup ? { type: "backup", id: op.backup.id } : { type: "operation", id: operationId },
    instanceId: op.instanceId,
    unitId: op.instance?.unitId ?? null,
    params: { name: op.instance?.name ?? null },
  });
  return op.backup?.id ?? null;
}

export const backupOperation = defineOperation({
  kind: "backup",
  version: 1,
  params: backupPlanSchema,
  steps: (run) => backupSteps(run.db, run.ring, run.operationId, run.params, run.options.backup),
  // A backup cannot go on from the middle of a stream: a run cut short ends failed, its files removed.
  onTakeover: () => ({
    action: "abandon",
    reason: "The panel stopped during this backup; its unfinished files were removed. Run it again.",
  }),
  async finish(run, outcome) {
    const backupId = await finishBackup(run.db, run.operationId, outcome);
    if (outcome !== "succeeded" || !backupId) return;
    const policy = await run.db.backup.findUnique({
      where: { id: backupId },
      select: { policy: { select: { verifyAfterBackup: true } } },
    });
    if (run.options.verifyAfterBackup ?? policy?.policy?.verifyAfterBackup ?? true) {
      await run.execute(await requestVerification(run.db, backupId, run.requestedById));
    }
    // Retention, once the new backup is in (and proven when verification is on).
    await pruneBackups(run.db, run.params.instanceId);
  },
});
