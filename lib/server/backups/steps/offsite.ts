import { errorText } from "../../../errors";
import { englishText } from "../../../i18n/message";
import { clientFor } from "../../hosts/clients";
import { loadRepository } from "../../repositories/repositories";
import { copySnapshot } from "../../repositories/snapshots";
import type { BackupEnv, BackupStepBody } from "./env";

/**
 * The off-site copy (`restic copy` of the new snapshot into the policy's second repository, often an
 * append-only rest-server). The restore point is complete without it: a copy that fails is said in
 * the journal and on the status page (the off-site copy goes stale, and the unit is alerted), never
 * turned into a failed backup.
 */
export function offsiteStep({ db, ring, plan, load }: BackupEnv): BackupStepBody {
  return {
    async run(ctx) {
      const { backupId, snapshotId } = ctx.result("snapshot");
      if (!plan.offsiteRepositoryId) return { copied: false };
      const instance = await load();
      try {
        const [from, to] = await Promise.all([
          loadRepository(db, ring, ctx.result("repository").repositoryId),
          loadRepository(db, ring, plan.offsiteRepositoryId),
        ]);
        const client = await clientFor(db, ring, instance.webHostId);
        await ctx.log(`Copying snapshot ${snapshotId.slice(0, 8)} from ${from.name} to ${to.name}.`);
        const copy = await copySnapshot(client, from, to, snapshotId);
        if (copy.created) {
          await db.backupRepository.update({ where: { id: to.id }, data: { initializedAt: new Date() } });
        }
        await db.backup.update({
          where: { id: backupId },
          data: { offsiteRepositoryId: to.id, offsiteSnapshotId: copy.snapshotId, offsiteCopiedAt: new Date() },
        });
        await ctx.log(`Off-site copy ${copy.snapshotId.slice(0, 8)} in ${to.name}.`);
        await ctx.progress(99);
        return { copied: true, snapshotId: copy.snapshotId };
      } catch (error) {
        await ctx.log(
          `The off-site copy failed: ${englishText(errorText(error))} ; the restore point is complete in the primary repository, and the next backup copies again.`,
          "warn",
        );
        return { copied: false };
      }
    },
  };
}
