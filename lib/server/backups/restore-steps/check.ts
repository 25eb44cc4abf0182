import { inspectContainer } from "../../../docker";
import { elabftwVersionOf } from "../../../docker";
import { AppError } from "../../../errors";
import { requiredSchemaFor } from "../../instances/elabftw-releases";
import { dbCheck } from "../../instances/observe";
import { asMessage, msg, type Wording } from "../../../i18n/message";
import { target } from "../restore-target";
import type { RestoreEnv, RestoreStepBody } from "./env";
import { uploadsMountOf } from "../../instances/elabftw-releases";

export function checkStep({ db, ring, plan, chosen, clients }: RestoreEnv): RestoreStepBody {
  return {
    async run(ctx) {
      const point = await chosen();
      if (point.instanceId !== plan.instanceId) {
        throw new AppError("bad_input", "This backup belongs to another instance.", { hint: "Nothing was changed." });
      }
      const t = await target(db, ring, plan.instanceId, clients);
      const web = await inspectContainer(t.web, t.webContainerName);
      if (!uploadsMountOf(web)) {
        throw new AppError(
          "precondition_failed",
          msg`${web.name} keeps its uploads inside the container (nothing is mounted at /elabftw/uploads): they cannot be replaced safely, and would be lost if the container were recreated.`,
          { hint: "Mount a volume or a directory at /elabftw/uploads first. Nothing was changed." },
        );
      }
      // The schema the image requires, known without the database (which may be the very thing lost):
      // the release table for the image's version, else the backup's own when taken with the same release,
      // else the image's own console (which needs the database).
      const version = elabftwVersionOf(web.labels);
      let required = requiredSchemaFor(version);
      let source = `eLabFTW ${version} (the panel's table of releases)`;
      if (required === null && version && version === point.elabftwVersion && point.schema !== null) {
        required = point.schema;
        source = `eLabFTW ${version}, the release the backup was taken with`;
      }
      if (required === null) {
        const check: { required?: number; detail: Wording } | null = web.state.running
          ? await dbCheck(t.web, web)
          : null;
        if (typeof check?.required !== "number") {
          throw new AppError(
            "unavailable",
            msg`The schema the image requires is not known: its version (${version ?? "no version label"}) is not in the panel's table, and bin/console db:check could not tell (${check ? asMessage(check.detail) : msg`${web.name} is not running`}).`,
            { hint: "Start the web container with a working database, or update the panel. Nothing was changed." },
          );
        }
        required = check.required;
        source = "bin/console db:check";
      }
      if (point.schema !== null && point.schema > required) {
        throw new AppError(
          "precondition_failed",
          msg`This backup's schema (${point.schema}) is newer than the one the image requires (${required}): it cannot be loaded into this version (no downgrade).`,
          {
            hint: "Upgrade the instance to the version the backup was taken with, then restore. Nothing was changed.",
          },
        );
      }
      await ctx.log(
        `Backup of ${point.finishedAt}: eLabFTW ${point.elabftwVersion ?? "?"}, schema ${point.schema}; the image requires ${required} (from ${source}).`,
      );
      if (!web.state.running) await ctx.log(`${web.name} is not running; it is started at the end of the restore.`);
      return { required, backupSchema: point.schema, webWasRunning: web.state.running };
    },
  };
}
