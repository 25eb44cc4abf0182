import type { VerifyPlan } from "../verify-backup";
import type { KeyRing } from "../../../crypto";
import { execCapture, type DockerClient } from "../../../docker";
import { backupPaths } from "../../../env";
import { AppError } from "../../../errors";
import type { Db } from "../../db/client";
import { clientFor } from "../../hosts/clients";
import { type StepDefinition } from "../../operations/journal";
import { readManifest } from "../restore-point";
import { loadBackupIdentity } from "../identity";

export interface VerifyOptions {
  identityFile?: string;
  loadTimeoutMs?: number;
}

/**
 * What the verification steps share: the backup key, the throw-away
 * database container and its Docker client, and that container's root
 * password, which lives only in this run's memory (never in the journal).
 */
export function verifyEnv(db: Db, ring: KeyRing, operationId: string, plan: VerifyPlan, options: VerifyOptions = {}) {
  const identity = () => loadBackupIdentity(options.identityFile ?? backupPaths().identityFile);
  const container = `paillasse-verify-${operationId.slice(0, 8)}`;
  let clientPromise: Promise<DockerClient> | null = null;
  const dbClient = async () => {
    const { backup } = await readManifest(db, ring, plan.backupId);
    // The throw-away database runs beside the live one, or on the web host for an external server.
    clientPromise ??= clientFor(db, ring, backup.instance.databaseHostId ?? backup.instance.webHostId);
    return clientPromise;
  };
  const mysql = (client: DockerClient, password: string, sql: string) =>
    execCapture(client, container, {
      cmd: ["mysql", "--batch", "--skip-column-names", "-uroot", "-h127.0.0.1", "verify", "-e", sql],
      env: { MYSQL_PWD: password },
    });
  let rootPassword: string | null = null;
  const loaded = () => {
    if (!rootPassword) {
      throw new AppError("unavailable", "The panel restarted during the verification.", { hint: "Verify again." });
    }
    return { password: rootPassword };
  };
  const remember = (password: string) => {
    rootPassword = password;
  };
  return { db, ring, operationId, plan, options, identity, container, dbClient, mysql, loaded, remember };
}

export type VerifyEnv = ReturnType<typeof verifyEnv>;

/** One step's run and undo, side by side; its key and title come from VERIFY_STEPS. */
export type VerifyStepBody = Omit<StepDefinition, "key" | "title">;
