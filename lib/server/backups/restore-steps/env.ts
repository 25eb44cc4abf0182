import { type KeyRing } from "../../../crypto";
import { backupPaths } from "../../../env";
import type { Db } from "../../db/client";
import { hostClients } from "../../hosts/clients";
import { type StepContext, type StepDefinition } from "../../operations/journal";
import { openPoint, type PointView } from "../any-point";
import { loadBackupIdentity } from "../identity";
import { recreateAndLoadDump, target } from "../restore-target";
import type { RestorePlan, RestoreResults } from "../restore-backup";

export interface RestoreOptions {
  identityFile?: string;
  defaultDir?: string;
  healthTimeoutMs?: number;
}

/**
 * What the restore steps share: the backup key, the chosen restore point,
 * one Docker client per host for the whole restore, and putting the safety
 * backup back (the undo of the database and uploads steps).
 */
export function restoreEnv(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: RestorePlan,
  options: RestoreOptions = {},
) {
  const identity = async () => (await loadBackupIdentity(options.identityFile ?? backupPaths().identityFile)).identity;
  const chosen = () => openPoint(db, ring, plan.backupId, identity);
  // One client per host for the whole restore.
  const clients = hostClients(db, ring);
  const safety = async (ctx: StepContext<RestoreResults>) => {
    const { backupId } = ctx.result("safety");
    if (!backupId) {
      await ctx.log("There is no safety backup to put back (there was no database to save).", "warn");
      return null;
    }
    return openPoint(db, ring, backupId, identity);
  };

  /** Put one part of a restore point (the chosen one, or the safety backup) into the instance. */
  async function putPart(part: "database" | "uploads", point: PointView, ctx: StepContext<RestoreResults>) {
    const into = await target(db, ring, plan.instanceId, clients);
    if (part === "database") await recreateAndLoadDump(into, point.dump(), ctx);
    else await point.putUploads(into, ctx);
  }
  /** The undo of the database and uploads steps: that part of the safety backup goes back. */
  const putSafetyBack = (part: "database" | "uploads") => async (ctx: StepContext<RestoreResults>) => {
    const saved = await safety(ctx);
    if (!saved) return;
    await ctx.log(`Putting the safety backup's ${part} back.`, "warn");
    await putPart(part, saved, ctx);
  };

  return {
    db,
    ring,
    operationId,
    plan,
    options,
    identity,
    chosen,
    clients,
    safety,
    putPart,
    putSafetyBack,
  };
}

export type RestoreEnv = ReturnType<typeof restoreEnv>;

/** One step's run and undo, side by side; its key and title come from RESTORE_STEPS. */
export type RestoreStepBody = Omit<StepDefinition<RestoreResults>, "key" | "title">;
