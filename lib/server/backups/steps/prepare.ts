import { mkdir, rm, statfs } from "node:fs/promises";
import path from "node:path";
import { backupPaths } from "../../../env";
import { AppError } from "../../../errors";
import { msg } from "../../../i18n/message";
import { mib, requireDumpable, startBackupRow, utcStamp, type Prepared } from "../backup-streams";
import { loadBackupIdentity } from "../identity";
import type { BackupEnv, BackupStepBody } from "./env";

/** Check the instance and the destination, create the Backup row and the ".partial" directory (removed on undo). */
export function prepareStep({ db, ring, operationId, plan, options, load, prepared }: BackupEnv): BackupStepBody {
  return {
    async run(ctx) {
      const instance = await load();
      requireDumpable(ring, instance);
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
        throw new AppError("unavailable", msg`The backup destination cannot be written: ${(error as Error).message}.`, {
          hint: "Check that the destination directory exists, is mounted and is writable by the panel.",
        });
      }
      const free = await statfs(partialDir)
        .then((s) => s.bavail * s.bsize)
        .catch(() => null);
      await ctx.log(
        `Writing to ${path.join(instance.unit.code, instance.name, utcStamp(startedAt))} under the destination${free !== null ? ` (${mib(free)} free)` : ""}.`,
      );
      const backup = await startBackupRow(db, { operationId, plan, options }, instance, startedAt, { location: dir });
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
  };
}
