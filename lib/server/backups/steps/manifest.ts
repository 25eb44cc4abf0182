import { readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { mib, type UploadEntry } from "../backup-streams";
import { writeManifest, type BackupManifest } from "../restore-point";
import { UploadTree } from "../upload-tree";
import type { BackupEnv, BackupStepBody } from "./env";

/** Write and seal the manifest, then give the directory its final name: only now is it a restore point. */
export function manifestStep({ db, ring, load, prepared }: BackupEnv): BackupStepBody {
  return {
    async run(ctx) {
      const p = prepared(ctx);
      const instance = await load();
      const { database, uploads } = ctx.result("data");
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
  };
}
