import path from "node:path";
import { readManifest, VerificationFailure } from "../restore-point";
import { hashFile } from "../encrypted-file";
import { msg } from "../../../i18n/message";
import type { VerifyEnv, VerifyStepBody } from "./env";

/** Every file of the restore point is there, opens and has the size and checksum the manifest says. */
export function filesStep({ db, ring, plan }: VerifyEnv): VerifyStepBody {
  return {
    async run(ctx) {
      const { backup, manifest } = await readManifest(db, ring, plan.backupId);
      for (const entry of [manifest.database, manifest.uploads]) {
        const actual = await hashFile(path.join(backup.location!, entry.file)).catch((error: Error) => {
          throw new VerificationFailure(msg`${entry.file} cannot be read: ${error.message}.`);
        });
        if (actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) {
          throw new VerificationFailure(
            msg`${entry.file} is not the file that was written (${actual.bytes} bytes, ${entry.bytes} expected; checksum ${actual.sha256 === entry.sha256 ? "equal" : "different"}).`,
          );
        }
      }
      await ctx.log("The manifest's seal opens and both encrypted files match their checksums.");
      await ctx.progress(10);
      return { checked: [manifest.database.file, manifest.uploads.file] };
    },
  };
}
