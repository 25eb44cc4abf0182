import path from "node:path";
import { pipeline } from "node:stream/promises";
import { readManifest, VerificationFailure } from "../restore-point";
import { openEncryptedFile } from "../encrypted-file";
import { tarEntryLister, type TarEntry } from "../tar-files";
import { treeDifferences, UploadTree } from "../upload-tree";
import { joinTexts, msg } from "../../../i18n/message";
import type { VerifyEnv, VerifyStepBody } from "./env";

/** The uploads archive decrypts and its entries match the manifest, one by one. */
export function uploadsStep({ db, ring, plan, identity }: VerifyEnv): VerifyStepBody {
  return {
    async run(ctx) {
      const { backup, manifest } = await readManifest(db, ring, plan.backupId);
      const archived: TarEntry[] = [];
      const extract = tarEntryLister((entry) => archived.push(entry));
      try {
        const plain = await openEncryptedFile(path.join(backup.location!, manifest.uploads.file), [
          (await identity()).identity,
        ]);
        await pipeline(plain, extract);
      } catch (error) {
        throw new VerificationFailure(msg`The uploads archive does not open: ${(error as Error).message}.`);
      }
      const problems = treeDifferences(manifest.uploads.files, archived, {
        filesOnly: manifest.format === "paillasse-backup/1",
      });
      if (problems.length) {
        throw new VerificationFailure(
          problems.length === 1
            ? msg`One entry of the uploads archive does not match the manifest: ${problems[0]!}.`
            : msg`${problems.length} entries of the uploads archive do not match the manifest: ${joinTexts(problems.slice(0, 3))}.`,
        );
      }
      const s = new UploadTree(archived).summary();
      const links = s.symlinks + s.hardlinks;
      await ctx.log(
        `All ${s.files} uploaded files match their SHA-256${links ? `, and ${links} links their targets` : ""}.`,
      );
      await ctx.progress(35);
      return { files: s.files, links: s.symlinks + s.hardlinks };
    },
  };
}
