import { createVolume, removeVolume } from "../../../docker";
import { env as envConfig } from "../../../env";
import { msg } from "../../../i18n/message";
import { clientFor } from "../../hosts/clients";
import { loadRepository } from "../../repositories/repositories";
import { runRestic } from "../../repositories/restic";
import { restoreUploads } from "../../repositories/snapshots";
import { damageLine } from "../../repositories/full-check";
import { VerificationFailure } from "../restore-point";
import type { VerifyEnv, VerifyStepBody } from "./env";

/*
 * A snapshot is proven at a cost bounded by a sample, not by the data size: each verification
 * reads back one part of the repository's packs (`restic check --read-data-subset=k/N`, k turning
 * with every verification, so all the data is read once every N of them) and restores one slice of
 * the uploaded files (every file once in a cycle), checked against the hashes restic recorded when
 * it read them; then the dump is loaded and compared as for any restore point. A cycle has at least
 * READ_DATA_CYCLE (SAMPLE_CYCLE) turns, and more when a turn would read more than the budget
 * (PANEL_VERIFY_READ_MIB): a repository four times larger takes four times more turns, not longer
 * ones; the scheduled full read covers everything in one go.
 */
export const READ_DATA_CYCLE = 12;
export const SAMPLE_CYCLE = 7;

/** The turns of a cycle: at least `minimum`, more when one turn would read more than `budgetBytes`. */
export function turnsFor(totalBytes: number, minimum: number, budgetBytes: number): number {
  if (!(budgetBytes > 0) || !(totalBytes > 0)) return minimum;
  return Math.max(minimum, Math.ceil(totalBytes / budgetBytes));
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

async function context({ db, ring, backupRow }: VerifyEnv) {
  const backup = await backupRow();
  if (!backup.repositoryId || !backup.snapshotId) {
    throw new VerificationFailure("This restore point does not say which snapshot holds it.");
  }
  const repo = await loadRepository(db, ring, backup.repositoryId);
  const client = await clientFor(db, ring, backup.instance.webHostId);
  // How many verifications of this repository passed before: the turn of the rotation.
  const turn = await db.backup.count({ where: { repositoryId: repo.id, verificationStatus: "passed" } });
  return { backup, repo, client, turn, snapshotId: backup.snapshotId };
}

function readBudget(env: VerifyEnv): number {
  return (env.options.readBudgetMiB ?? envConfig().PANEL_VERIFY_READ_MIB) * 2 ** 20;
}

/** The repository's structure, and one part of its data read back and checked. */
export function checkStep(env: VerifyEnv): VerifyStepBody {
  return {
    async run(ctx) {
      const { repo, client, turn } = await context(env);
      // What the repository holds: what its backups added (an upper bound once some were pruned).
      const stored = await env.db.backup.aggregate({ where: { repositoryId: repo.id }, _sum: { addedBytes: true } });
      const storedBytes = Number(stored._sum.addedBytes ?? 0);
      const cycle = turnsFor(storedBytes, env.options.readDataCycle ?? READ_DATA_CYCLE, readBudget(env));
      const part = (turn % cycle) + 1;
      await ctx.log(
        `Checking repository ${repo.name}: its structure, and part ${part} of ${cycle} of its data (about ${mib(storedBytes / cycle)}) read back.`,
      );
      const result = await runRestic(client, repo, {
        args: ["check", `--read-data-subset=${part}/${cycle}`],
        timeoutMs: 6 * 3_600_000,
      });
      if (result.exitCode !== 0) {
        throw new VerificationFailure(
          msg`restic check found damage in repository ${repo.name}: ${damageLine(result)}.`,
        );
      }
      await ctx.progress(20);
      return { part, cycle };
    },
  };
}

/** One slice of the uploaded files restored and checked against the hashes recorded at backup time. */
export function sampleStep(env: VerifyEnv): VerifyStepBody {
  const scratch = `paillasse-verify-sample-${env.operationId.replace(/-/g, "").slice(0, 12)}`;
  return {
    async run(ctx) {
      const { repo, client, turn, snapshotId } = await context(env);
      const entries = (await (await env.source()).entries()).filter((e) => e.type === "file");
      const totalBytes = entries.reduce((sum, e) => sum + e.size, 0);
      const cycle = turnsFor(totalBytes, SAMPLE_CYCLE, readBudget(env));
      const slice = turn % cycle;
      const files = entries.map((e) => e.path.replace(/^uploads\//, "")).sort();
      const sample = files.filter((_, i) => i % cycle === slice);
      if (!sample.length) {
        await ctx.log(`No uploaded file falls in slice ${slice + 1} of ${cycle} (${files.length} files in all).`);
        return { sampled: 0, files: files.length };
      }
      await ctx.intent({ scratchVolume: scratch });
      try {
        await createVolume(client, scratch, {
          "net.paillasse.managed": "true",
          "net.paillasse.helper": "verify-sample",
        });
        const restored = await restoreUploads(
          client,
          repo,
          snapshotId,
          { type: "volume", source: scratch, destination: "/", readOnly: false },
          { include: sample, verify: true },
        );
        const unsampled = sample.filter((p) => p.includes("\n")).length;
        if (restored.filesRestored < sample.length - unsampled) {
          throw new VerificationFailure(
            msg`Only ${restored.filesRestored} of the ${sample.length} sampled files came back from the snapshot.`,
          );
        }
        await ctx.log(
          `${sample.length} of ${files.length} uploaded files (slice ${slice + 1} of ${cycle}) restored and checked against the hashes restic recorded at backup time.`,
        );
      } catch (error) {
        if (error instanceof VerificationFailure) throw error;
        throw new VerificationFailure(
          msg`The sampled files do not come back intact: ${(error as Error).message.slice(0, 300)}`,
        );
      } finally {
        await removeVolume(client, scratch).catch(() => undefined);
      }
      await ctx.progress(40);
      return { sampled: sample.length, files: files.length, slice: slice + 1, cycle };
    },
  };
}
