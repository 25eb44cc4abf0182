import { PassThrough, Writable, type Readable } from "node:stream";
import { createVolume, inspectContainer, removeVolume, type DockerClient } from "../../../docker";
import { AppError } from "../../../errors";
import { clientFor } from "../../hosts/clients";
import { openInstanceSecrets, requireDatabasePassword } from "../../instances/instance-secrets";
import { readObservation } from "../../instances/observe";
import { loadRepository } from "../../repositories/repositories";
import { resticImage } from "../../repositories/restic";
import {
  SNAPSHOT_DATABASE,
  SNAPSHOT_ROOT,
  writeSnapshot,
  type BackupProgress,
  type SnapshotWritten,
} from "../../repositories/snapshots";
import { composeLabelsOf, readComposeFiles } from "../../upgrades/compose-sync";
import { DumpRefused, dumpInto, dumpToStage, mib, type LoadedInstance } from "../backup-streams";
import { openDatabaseShell, openStagedDatabaseShell, type DatabaseShell } from "../database-shell";
import type { StepContext } from "../../operations/journal";
import type { BackupEnv, BackupStepBody } from "./env";
import { uploadsMountOf } from "../../instances/elabftw-releases";

const scratchName = (backupId: string) => `paillasse-stage-${backupId.replace(/-/g, "").slice(0, 16)}`;

/**
 * The restic path's snapshot. mysqldump writes the dump into a staging volume on the web host, from a
 * helper beside the database (its own image, on its network), so the data never passes through the
 * panel; a restic helper then reads that volume, instance.json and the uploads where they are, and
 * stores only what the repository does not have yet. A database on another host is relayed instead
 * (see relayDump). A dump that fails its checks never reaches a snapshot.
 */
export function snapshotStep({ db, ring, plan, load }: BackupEnv): BackupStepBody {
  return {
    async run(ctx) {
      const { backupId, repositoryId } = ctx.result("repository");
      const instance = await load();
      const repo = await loadRepository(db, ring, repositoryId);
      const client = await clientFor(db, ring, instance.webHostId);
      const web = await inspectContainer(client, instance.webContainerName);
      const uploads = uploadsMountOf(web);
      if (!uploads || (uploads.type !== "volume" && uploads.type !== "bind")) {
        throw new AppError(
          "precondition_failed",
          "The uploads of this instance are not on a volume or a host directory.",
          {
            hint: "Mount /elabftw/uploads from a volume or a host directory, as eLabFTW's compose file does.",
          },
        );
      }
      const password = requireDatabasePassword(openInstanceSecrets(ring, instance));
      // The database container's definition goes into instance.json; an external server's client
      // container is only opened if the dump must be relayed.
      const shell = instance.databasePlacement === "external" ? null : await openDatabaseShell(db, ring, instance);
      const scratch = scratchName(backupId);
      await ctx.intent({ scratchVolume: scratch, repository: repo.name });
      try {
        const instanceJson = await describeInstance(client, instance, web, shell);
        await createVolume(client, scratch, {
          "net.paillasse.managed": "true",
          "net.paillasse.helper": "restic-stage",
        });
        const expected = readObservation(instance.observation)?.uploadsBytes ?? null;
        let lastReport = 0;
        const report = (text: string, percent: number) => {
          const now = Date.now();
          if (now - lastReport < 1_000) return;
          lastReport = now;
          void ctx.progress(percent, text).catch(() => undefined);
        };
        const onProgress = (p: BackupProgress) =>
          report(
            `Uploads: ${p.filesDone} of ${p.totalFiles} files, ${mib(p.bytesDone)} of ${mib(p.totalBytes || expected || 0)} read`,
            10 + Math.min(85, p.percent * 0.85),
          );
        const snapshotOf = (schema: number | null, dump: Readable | null, signal?: AbortSignal) =>
          writeSnapshot(client, repo, {
            hostname: instance.name,
            tags: {
              instance: instance.name,
              unit: instance.unit.code,
              trigger: plan.trigger,
              version: instance.elabftwVersion,
              schema,
            },
            uploads,
            instanceJson,
            dump,
            scratchVolume: scratch,
            signal,
            onProgress,
          });
        // The dump is written into the staging volume by mysqldump beside the database when it runs on
        // this host (or is external): it never passes through the panel. Otherwise it is relayed.
        let database: DumpedDatabase | null = null;
        let snapshot: SnapshotWritten | null = null;
        const staged = await openStagedDatabaseShell(db, ring, instance, { volume: scratch, at: SNAPSHOT_ROOT });
        if (staged) {
          try {
            const dumped = await dumpToStage(staged, ctx, instance, password, SNAPSHOT_DATABASE, (bytes) =>
              report(`Database ${mib(bytes)} dumped`, 8),
            );
            database = { plainBytes: dumped.bytes, tables: null, schema: dumped.schema, server: dumped.server };
          } catch (error) {
            if (!(error instanceof DumpRefused) || staged.external) throw error;
            await ctx.log(
              `The database does not take the dump helper's connection (${(error as DumpRefused).message}); the dump goes through the panel instead.`,
            );
          } finally {
            await staged.close();
          }
          if (database) snapshot = await snapshotOf(database.schema, null);
        }
        if (!database || !snapshot) {
          const relay = shell ?? (await openDatabaseShell(db, ring, instance));
          try {
            ({ database, snapshot } = await relayDump(relay, ctx, instance, password, snapshotOf, report));
          } finally {
            if (relay !== shell) await relay.close();
          }
        }
        const tables = database.tables;
        await ctx.log(
          tables
            ? `Database: ${Object.keys(tables).length} tables, ${Object.values(tables).reduce((a, b) => a + b, 0)} rows, ${mib(database.plainBytes)} dumped.`
            : `Database: ${mib(database.plainBytes)} dumped; its rows are counted when the verification loads it.`,
        );
        const uploadsBytes = Math.max(
          0,
          snapshot.bytesProcessed - database.plainBytes - Buffer.byteLength(instanceJson),
        );
        const uploadFiles = Math.max(0, snapshot.filesNew + snapshot.filesChanged + snapshot.filesUnmodified - 2);
        await ctx.log(
          `Snapshot ${snapshot.snapshotId.slice(0, 8)} in ${repo.name}: ${snapshot.filesNew} new, ${snapshot.filesChanged} changed and ${snapshot.filesUnmodified} unchanged files; the repository grew by ${mib(snapshot.addedPacked)} (restic ran ${snapshot.durationS.toFixed(1)} s).`,
        );
        const finishedAt = new Date();
        await db.backup.update({
          where: { id: backupId },
          data: {
            status: "succeeded",
            finishedAt,
            snapshotId: snapshot.snapshotId,
            databaseBytes: BigInt(database.plainBytes),
            uploadsBytes: BigInt(uploadsBytes),
            uploadsFileCount: uploadFiles,
            totalBytes: BigInt(snapshot.bytesProcessed),
            addedBytes: BigInt(snapshot.addedPacked),
            schemaVersion: database.schema,
            contents: { tables: database.tables, server: database.server } as object,
          },
        });
        await ctx.progress(95, "Snapshot written");
        return {
          backupId,
          snapshotId: snapshot.snapshotId,
          database: {
            plainBytes: database.plainBytes,
            tables: database.tables,
            schema: database.schema,
            server: database.server,
          },
          uploads: { files: uploadFiles, bytes: uploadsBytes },
          addedBytes: snapshot.addedPacked,
        };
      } finally {
        await shell?.close();
        await removeVolume(client, scratch).catch(() => undefined);
      }
    },
    async compensate(ctx) {
      const { backupId } = ctx.result("repository");
      const instance = await load();
      const client = await clientFor(db, ring, instance.webHostId);
      await removeVolume(client, scratchName(backupId)).catch(() => undefined);
      await ctx.log("Removed the staging volume; restic wrote no snapshot, and a prune reclaims what it had sent.");
    },
  };
}

/**
 * instance.json: what it takes to re-create the instance elsewhere. The containers as they run
 * (image, env with SECRET_KEY and the passwords, mounts, networks and aliases, ports, labels,
 * capabilities, healthcheck, restart policy) and the compose files' text. It is inside the
 * snapshot, which restic encrypts; the panel keeps no copy of it.
 */
async function describeInstance(
  client: DockerClient,
  instance: LoadedInstance,
  web: Awaited<ReturnType<typeof inspectContainer>>,
  shell: { client: DockerClient; container: string } | null,
): Promise<string> {
  const database = shell ? await inspectContainer(shell.client, shell.container) : null;
  const labels = composeLabelsOf(web.labels);
  const compose = labels ? await readComposeFiles(client, resticImage(), labels).catch(() => null) : null;
  return JSON.stringify(
    {
      format: "paillasse-instance/1",
      instance: {
        id: instance.id,
        name: instance.name,
        unit: instance.unit.code,
        siteUrl: instance.siteUrl,
        elabftwVersion: instance.elabftwVersion,
        image: `${instance.imageRepository}:${instance.imageTag}`,
        database: {
          placement: instance.databasePlacement,
          name: instance.databaseName,
          user: instance.databaseUser,
          address: instance.databaseAddress,
          port: instance.databasePort,
          tls: instance.databaseTls,
        },
      },
      web: { name: web.name, image: web.image, createSpec: web.createSpec, networks: web.networks },
      database: database
        ? { name: database.name, image: database.image, createSpec: database.createSpec, networks: database.networks }
        : null,
      compose: labels ? { service: labels.service, workingDir: labels.workingDir, files: compose } : null,
    },
    null,
    2,
  );
}

interface DumpedDatabase {
  plainBytes: number;
  /** Rows per table, counted on the way when the dump passed through the panel; null when it did not. */
  tables: Record<string, number> | null;
  schema: number | null;
  server: string;
}

/**
 * A database on another host than the staging volume: the dump streams through the panel (counted
 * and checked, never held) into the restic helper, which gets the end of its input only once the
 * dump has passed its checks: a bad dump kills it before any snapshot.
 */
async function relayDump(
  shell: DatabaseShell,
  ctx: StepContext,
  instance: LoadedInstance,
  password: string,
  snapshotOf: (schema: number | null, dump: Readable | null, signal?: AbortSignal) => Promise<SnapshotWritten>,
  report: (text: string, percent: number) => void,
): Promise<{ database: DumpedDatabase; snapshot: SnapshotWritten }> {
  const toHelper = new PassThrough({ highWaterMark: 1024 * 1024 });
  let dumped = 0;
  const abort = new AbortController();
  let written: Promise<SnapshotWritten> | null = null;
  let database;
  try {
    database = await dumpInto(
      shell,
      ctx,
      (stdout, schema) => {
        // The helper starts with the dump, once the schema it is tagged with is known.
        written = snapshotOf(schema, toHelper, abort.signal);
        written.catch(() => undefined);
        return new Promise<{ plainBytes: number }>((resolve, reject) => {
          // Into the helper with backpressure, but not its end: that waits for the dump's checks.
          const sink = new Writable({
            write(chunk: Buffer, _e, done) {
              dumped += chunk.length;
              report(`Database ${mib(dumped)} dumped`, 8);
              if (toHelper.write(chunk)) done();
              else toHelper.once("drain", () => done());
            },
            final(done) {
              done();
              resolve({ plainBytes: dumped });
            },
          });
          sink.on("error", reject);
          stdout.on("error", reject);
          stdout.pipe(sink);
        });
      },
      instance,
      password,
      abort.signal,
    );
  } catch (error) {
    abort.abort(error);
    toHelper.destroy(error as Error);
    await (written as Promise<unknown> | null)?.catch(() => undefined);
    throw error;
  }
  toHelper.end();
  const snapshot = await written!;
  return {
    database: {
      plainBytes: database.consumed.plainBytes,
      tables: database.tables,
      schema: database.schema,
      server: database.server,
    },
    snapshot,
  };
}
