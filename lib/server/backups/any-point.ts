import type { KeyRing } from "../../crypto";
import { inspectContainer } from "../../docker";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { loadRepository } from "../repositories/repositories";
import { restoreUploads, snapshotFileStream, SNAPSHOT_DATABASE } from "../repositories/snapshots";
import type { StepContext } from "../operations/journal";
import { readManifest } from "./restore-point";
import { manifestDump, replaceUploads, type DumpToLoad, type Target } from "./restore-target";
import { uploadsMountOf } from "../instances/elabftw-releases";

/**
 * A restore point as a restore reads it, whatever its format: encrypted files with a sealed
 * manifest (the first format, still restorable), or one restic snapshot. What it says it holds,
 * its dump, and how its uploads go back into an instance.
 */
export interface PointView {
  backupId: string;
  format: "files" | "restic";
  instanceId: string;
  elabftwVersion: string | null;
  schema: number | null;
  finishedAt: string;
  dump: () => DumpToLoad;
  putUploads: (t: Target, ctx: StepContext) => Promise<void>;
}

export async function openPoint(
  db: Db,
  ring: KeyRing,
  backupId: string,
  identity: () => Promise<string>,
): Promise<PointView> {
  const row = await db.backup.findUnique({
    where: { id: backupId },
    select: {
      id: true,
      format: true,
      instanceId: true,
      repositoryId: true,
      snapshotId: true,
      databaseBytes: true,
      schemaVersion: true,
      elabftwVersion: true,
      finishedAt: true,
      contents: true,
      uploadsFileCount: true,
      instance: { select: { webHostId: true } },
    },
  });
  if (!row) {
    throw new AppError("not_found", "This backup is no longer in the inventory (it was removed since).", {
      hint: "Pick another backup from the instance's list.",
    });
  }
  if (row.format === "files") {
    const { backup, manifest } = await readManifest(db, ring, backupId);
    const secret = await identity();
    return {
      backupId,
      format: "files",
      instanceId: manifest.instance.id,
      elabftwVersion: manifest.elabftwVersion,
      schema: manifest.schema,
      finishedAt: manifest.finishedAt,
      dump: () => manifestDump(manifest, backup.location!, secret),
      putUploads: (t, ctx) => replaceUploads(t, manifest, backup.location!, secret, ctx),
    };
  }
  const tables = (row.contents as { tables?: Record<string, number> } | null)?.tables;
  if (!row.repositoryId || !row.snapshotId || row.databaseBytes === null) {
    throw new AppError("precondition_failed", "This restore point does not say which snapshot holds it.", {
      hint: "Pick another backup from the instance's list.",
    });
  }
  const repo = await loadRepository(db, ring, row.repositoryId);
  const snapshotId = row.snapshotId;
  const size = Number(row.databaseBytes);
  return {
    backupId,
    format: "restic",
    instanceId: row.instanceId,
    elabftwVersion: row.elabftwVersion,
    schema: row.schemaVersion,
    finishedAt: (row.finishedAt ?? new Date(0)).toISOString(),
    dump: () => ({
      id: backupId,
      size,
      tables: tables ? Object.keys(tables).length : null,
      schema: row.schemaVersion,
      // Streamed out of the repository by a helper on the web host, into the database container.
      open: async () =>
        snapshotFileStream(await clientFor(db, ring, row.instance.webHostId), repo, snapshotId, SNAPSHOT_DATABASE),
    }),
    async putUploads(t, ctx) {
      const web = await inspectContainer(t.web, t.webContainerName);
      const mount = uploadsMountOf(web);
      if (!mount || (mount.type !== "volume" && mount.type !== "bind")) {
        throw new AppError("precondition_failed", msg`${web.name} has no volume or directory at /elabftw/uploads.`, {
          hint: "Mount one there first; the instance is being put back as it was.",
        });
      }
      let last = 0;
      const restored = await restoreUploads(t.web, repo, snapshotId, mount, {
        onProgress: (p) => {
          if (Date.now() - last < 1_000) return;
          last = Date.now();
          void ctx.progress(65 + p.percent * 0.15, `Uploads ${p.percent}% restored`).catch(() => undefined);
        },
      });
      await ctx.log(
        `Put back the uploads from snapshot ${snapshotId.slice(0, 8)}: ${restored.filesRestored} files written (unchanged ones kept), with owners, modes, times and links as recorded; files not in the snapshot removed.`,
      );
    },
  };
}
