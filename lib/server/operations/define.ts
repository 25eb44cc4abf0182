import type { z } from "zod";
import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import type { DeployOptions } from "../instances/deploy";
import type { UpgradeOptions } from "../upgrades/upgrade";
import type { OperationKind, StepDefinition } from "./journal";
import type { Wording } from "../../i18n/message";

export type Outcome = "succeeded" | "failed" | "rolled_back";

export interface ExecuteOptions {
  owner: string;
  deploy?: DeployOptions;
  backup?: {
    identityFile?: string;
    defaultDir?: string;
    healthTimeoutMs?: number;
    readDataCycle?: number;
    readBudgetMiB?: number;
  };
  upgrade?: UpgradeOptions;
  /** Verify each backup right after it is written (default: the instance's policy says, else yes). */
  verifyAfterBackup?: boolean;
}

/** One run of an operation: its parsed params and what its steps may use. */
export interface OperationRun<P> {
  db: Db;
  ring: KeyRing;
  operationId: string;
  params: P;
  requestedById: string | null;
  options: ExecuteOptions;
  /** Run another operation now, in this worker (a backup's verification). */
  execute(operationId: string): Promise<Outcome | "not_runnable">;
}

/**
 * What a worker does with an operation another worker started and left
 * (its lease expired): go on from the first step not done, roll back from
 * where it stopped, or end it failed without running anything.
 */
export type Takeover =
  { action: "resume" } | { action: "roll_back"; reason: Wording } | { action: "abandon"; reason: Wording };

export interface OperationDefinition<P> {
  kind: OperationKind;
  /**
   * Version of the params' shape. Raise it whenever the schema changes in a
   * way an older row would not parse the same: a panel refuses operations
   * queued with another version instead of misreading them.
   */
  version: number;
  params: z.ZodType<P>;
  /** The step list, bound to the run (in order; each with its own undo). */
  steps(run: OperationRun<P>): StepDefinition<never>[];
  /** Taking over a started operation; absent: resume. `journal` is each step's state by key. */
  onTakeover?(run: OperationRun<P>, journal: Record<string, string>): Takeover;
  /** After the run ended (or was abandoned): the inventory, the audit trail, follow-up work. */
  finish(run: OperationRun<P>, outcome: Outcome): Promise<void>;
}

/** Declare an operation kind (registered in ./registry.ts). */
export function defineOperation<P>(definition: OperationDefinition<P>): OperationDefinition<P> {
  return definition;
}
