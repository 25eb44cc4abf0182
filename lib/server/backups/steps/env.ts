import type { KeyRing } from "../../../crypto";
import type { Db } from "../../db/client";
import type { StepContext, StepDefinition } from "../../operations/journal";
import type { WrittenFile } from "../encrypted-file";
import type { BackupManifest } from "../restore-point";
import type { LoadedInstance, Prepared } from "../backup-streams";
import type { BackupPlan } from "../create-backup";

/** What each backup step returns, by key (the journal keeps it; later steps and undos read it). */
export interface BackupResults {
  prepare: Prepared;
  data: {
    database: BackupManifest["database"] & { schema: number | null };
    uploads: WrittenFile & { file: string; fileCount: number };
  };
  manifest: { backupId: string; totalBytes: number; manifestSha256: string };
  /** The restic path (a policy with a repository): the row and the repository, then the snapshot. */
  repository: { backupId: string; repositoryId: string; startedAt: string; created: boolean };
  snapshot: {
    backupId: string;
    snapshotId: string;
    database: { plainBytes: number; tables: Record<string, number>; schema: number | null; server: string };
    uploads: { files: number; bytes: number };
    addedBytes: number;
  };
  offsite: { copied: boolean; snapshotId?: string };
}

export interface BackupOptions {
  identityFile?: string;
  defaultDir?: string;
  /** Link the Backup row to this operation (default). A safety backup inside a restore is not linked. */
  linkOperation?: boolean;
}

/** What every backup step works with: the run, the instance (read afresh), what the first step prepared. */
export interface BackupEnv {
  db: Db;
  ring: KeyRing;
  operationId: string;
  plan: BackupPlan;
  options: BackupOptions;
  load: () => Promise<LoadedInstance>;
  prepared: (ctx: StepContext<BackupResults>) => Prepared;
}

/** One step's run and undo, side by side; its key and title come from BACKUP_STEPS. */
export type BackupStepBody = Omit<StepDefinition<BackupResults>, "key" | "title">;
