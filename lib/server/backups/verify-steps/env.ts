import type { VerifyPlan } from "../verify-backup";
import type { KeyRing } from "../../../crypto";
import { execCapture, type DockerClient } from "../../../docker";
import { backupPaths } from "../../../env";
import { AppError } from "../../../errors";
import type { Db } from "../../db/client";
import { clientFor } from "../../hosts/clients";
import { type StepDefinition } from "../../operations/journal";
import { readManifest, VerificationFailure } from "../restore-point";
import { loadBackupIdentity } from "../identity";
import type { Readable } from "node:stream";
import path from "node:path";
import { openEncryptedFile } from "../encrypted-file";
import type { TarEntry } from "../tar-files";
import { loadRepository } from "../../repositories/repositories";
import { snapshotFileStream, SNAPSHOT_DATABASE } from "../../repositories/snapshots";
import { listSnapshotTree } from "../../repositories/snapshot-tree";

export interface VerifyOptions {
  identityFile?: string;
  loadTimeoutMs?: number;
  /** restic check reads 1/N of the repository's data each time (default 12). */
  readDataCycle?: number;
  /** At most this much read back per verification, in each of the two samples (default PANEL_VERIFY_READ_MIB). */
  readBudgetMiB?: number;
}

/**
 * What the verification steps share: the backup key, the throw-away
 * database container and its Docker client, and that container's root
 * password, which lives only in this run's memory (never in the journal).
 */
export function verifyEnv(db: Db, ring: KeyRing, operationId: string, plan: VerifyPlan, options: VerifyOptions = {}) {
  const identity = () => loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
  const container = `paillasse-verify-${operationId.slice(0, 8)}`;
  let clientPromise: Promise<DockerClient> | null = null;
  const backupRow = async () => {
    const backup = await db.backup.findUnique({
      where: { id: plan.backupId },
      select: {
        id: true,
        format: true,
        repositoryId: true,
        snapshotId: true,
        databaseBytes: true,
        schemaVersion: true,
        contents: true,
        instance: {
          select: {
            id: true,
            databaseHostId: true,
            databaseContainerName: true,
            databasePlacement: true,
            webHostId: true,
          },
        },
      },
    });
    if (!backup) {
      throw new AppError("not_found", "This backup is no longer in the inventory (it was removed since).", {
        hint: "Pick another backup from the instance's list.",
      });
    }
    return backup;
  };
  let listed: TarEntry[] | null = null;
  /**
   * The dump and what the restore point says it holds, whatever its format: the sealed manifest of
   * encrypted files, or the Backup row and the snapshot's own tree for a restic snapshot.
   */
  const source = async (): Promise<DumpSource> => {
    const backup = await backupRow();
    if (backup.format === "files") {
      const { manifest, backup: stored } = await readManifest(db, ring, plan.backupId);
      const location = stored.location!;
      return {
        instance: backup.instance,
        size: manifest.database.plainBytes,
        open: async () => openEncryptedFile(path.join(location, manifest.database.file), [(await identity()).identity]),
        tables: manifest.database.tables,
        schema: manifest.schema,
        entries: async () => manifest.uploads.files,
      };
    }
    const contents = (backup.contents ?? {}) as { tables?: Record<string, number> | null };
    if (!backup.repositoryId || !backup.snapshotId || backup.databaseBytes === null) {
      throw new VerificationFailure("This restore point does not say which snapshot holds it.");
    }
    const repo = await loadRepository(db, ring, backup.repositoryId);
    const snapshotId = backup.snapshotId;
    const web = () => clientFor(db, ring, backup.instance.webHostId);
    return {
      instance: backup.instance,
      size: Number(backup.databaseBytes),
      open: async () => snapshotFileStream(await web(), repo, snapshotId, SNAPSHOT_DATABASE),
      tables: contents.tables ?? null,
      schema: backup.schemaVersion,
      entries: async () => (listed ??= await listSnapshotTree(await web(), repo, snapshotId)),
    };
  };
  const dbClient = async () => {
    const backup = await backupRow();
    // The throw-away database runs beside the live one, or on the web host for an external server.
    clientPromise ??= clientFor(db, ring, backup.instance.databaseHostId ?? backup.instance.webHostId);
    return clientPromise;
  };
  const mysql = (client: DockerClient, password: string, sql: string) =>
    execCapture(client, container, {
      cmd: ["mysql", "--batch", "--skip-column-names", "-uroot", "-h127.0.0.1", "verify", "-e", sql],
      env: { MYSQL_PWD: password },
    });
  let rootPassword: string | null = null;
  const loaded = () => {
    if (!rootPassword) {
      throw new AppError("unavailable", "The panel restarted during the verification.", { hint: "Verify again." });
    }
    return { password: rootPassword };
  };
  const remember = (password: string) => {
    rootPassword = password;
  };
  let countedTables: Record<string, number> | null = null;
  /** The rows per table the loaded dump must hold: the restore point's record, or counted as it was loaded. */
  const expectedTables = async (): Promise<Record<string, number>> => {
    const recorded = (await source()).tables;
    if (recorded) return recorded;
    if (!countedTables) {
      throw new AppError("unavailable", "The panel restarted during the verification.", { hint: "Verify again." });
    }
    return countedTables;
  };
  const rememberTables = (tables: Record<string, number>) => {
    countedTables = tables;
  };
  return {
    db,
    ring,
    operationId,
    plan,
    options,
    identity,
    container,
    dbClient,
    mysql,
    loaded,
    remember,
    expectedTables,
    rememberTables,
    backupRow,
    source,
  };
}

/** Where the verification reads the dump from, and what the loaded database must hold. */
export interface DumpSource {
  instance: { id: string };
  /** The dump's size in bytes, exactly (it goes into the throw-away container as one tar entry). */
  size: number;
  open: () => Promise<Readable>;
  /** Rows per table as counted when the dump was taken; null when it was written beside the database (counted at load). */
  tables: Record<string, number> | null;
  schema: number | null;
  /** The uploads tree the restore point holds (links with their targets). */
  entries: () => Promise<readonly TarEntry[]>;
}

export type VerifyEnv = ReturnType<typeof verifyEnv>;

/** One step's run and undo, side by side; its key and title come from VERIFY_STEPS. */
export type VerifyStepBody = Omit<StepDefinition, "key" | "title">;
