import { AppError } from "../../../errors";
import { msg } from "../../../i18n/message";
import { clientFor } from "../../hosts/clients";
import { loadRepository } from "../../repositories/repositories";
import { ensureRepository } from "../../repositories/snapshots";
import { requireDumpable, startBackupRow } from "../backup-streams";
import type { BackupEnv, BackupStepBody } from "./env";

/**
 * The restic path's first step: the instance can be dumped, the repository opens from the instance's
 * host (initialized when it is new and empty), and the Backup row says a restore point is being written.
 */
export function repositoryStep({ db, ring, operationId, plan, options, load }: BackupEnv): BackupStepBody {
  return {
    async run(ctx) {
      const instance = await load();
      requireDumpable(ring, instance);
      const repositoryId = plan.repositoryId ?? instance.backupPolicy?.repositoryId;
      if (!repositoryId) {
        throw new AppError("precondition_failed", "This instance's backup policy names no repository.", {
          hint: "Choose a repository for the policy on the Backups page.",
        });
      }
      const repo = await loadRepository(db, ring, repositoryId);
      if (repo.kind === "host_directory" && repo.hostId !== instance.webHostId) {
        throw new AppError(
          "precondition_failed",
          msg`Repository ${repo.name} is a directory on another host than this instance's.`,
          {
            hint: "Give the policy a repository the instance's host can reach (a rest-server, S3, or a directory on that host).",
          },
        );
      }
      const client = await clientFor(db, ring, instance.webHostId);
      // Probed (and initialized) until a first backup has used it; after that, the snapshot itself
      // says clearly if the repository is gone or its password changed.
      const known = await db.backupRepository.findUnique({ where: { id: repo.id }, select: { initializedAt: true } });
      await ctx.log(`Opening repository ${repo.name} from ${client.host}.`);
      const { created } = known?.initializedAt ? { created: false } : await ensureRepository(client, repo);
      if (!known?.initializedAt) {
        await db.backupRepository.update({ where: { id: repo.id }, data: { initializedAt: new Date() } });
      }
      if (created)
        await ctx.log(`Repository ${repo.name} was empty: initialized (restic, AES-256 and Poly1305, zstd).`);
      const startedAt = new Date();
      const backup = await startBackupRow(db, { operationId, plan, options }, instance, startedAt, {
        format: "restic",
        repositoryId: repo.id,
      });
      await ctx.progress(5, "Repository open");
      return { backupId: backup.id, repositoryId: repo.id, startedAt: startedAt.toISOString(), created };
    },
  };
}
