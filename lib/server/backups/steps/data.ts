import { readObservation } from "../../instances/observe";
import { archiveUploads, dumpDatabase, progressReporter } from "../backup-streams";
import { DATABASE_FILE, UPLOADS_FILE } from "../restore-point";
import type { BackupEnv, BackupStepBody } from "./env";

/** Dump the database and archive the uploads at the same time, each encrypted on its way to the disk. */
export function dataStep({ db, ring, load, prepared }: BackupEnv): BackupStepBody {
  return {
    async run(ctx) {
      const p = prepared(ctx);
      const instance = await load();
      const expected = readObservation(instance.observation)?.uploadsBytes ?? null;
      const report = progressReporter(ctx, 5, 90, expected);
      await ctx.intent({
        dump: instance.databaseName,
        archive: "/elabftw/uploads",
        files: [DATABASE_FILE, UPLOADS_FILE],
      });
      // Both streams at once: the dump and the uploads are read at nearly the same moment, and the
      // restore point takes the time of the longer of the two, not their sum. One failing stops the other.
      const abort = new AbortController();
      const both = [
        dumpDatabase(db, ring, ctx, p, instance, report("database"), abort.signal),
        archiveUploads(db, ring, ctx, p, instance, report("uploads"), abort.signal),
      ].map((run) =>
        run.catch((error: unknown) => {
          abort.abort(error);
          throw error;
        }),
      );
      const settled = await Promise.allSettled(both);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) {
        // The first failure is the cause; the other stream was stopped because of it.
        throw abort.signal.reason ?? failed.reason;
      }
      const [database, uploads] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
        Awaited<ReturnType<typeof dumpDatabase>>,
        Awaited<ReturnType<typeof archiveUploads>>,
      ];
      await ctx.progress(90, "Database dumped and uploads archived");
      return { database, uploads };
    },
  };
}
