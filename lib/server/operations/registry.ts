import { backupOperation } from "../backups/create-backup";
import { restoreOperation } from "../backups/restore-backup";
import { verifyOperation } from "../backups/verify-backup";
import { deployOperation } from "../instances/deploy";
import { upgradeOperation } from "../upgrades/upgrade";
import { mysqlUpgradeOperation } from "../upgrades/mysql-upgrade";
import { recoverOperation } from "../recover/recover-instance";
import type { OperationDefinition } from "./define";
import type { OperationKind } from "./journal";

/**
 * Every operation kind this panel runs, by kind. Each definition carries the
 * version of its params' shape: the executor parses the stored params with
 * the kind's schema, and refuses an operation queued with another version.
 */
export const OPERATIONS: { [K in OperationKind]: OperationDefinition<unknown> } = {
  deploy: deployOperation,
  upgrade: upgradeOperation,
  database_upgrade: mysqlUpgradeOperation,
  backup: backupOperation,
  verify: verifyOperation,
  restore: restoreOperation,
  recover: recoverOperation,
};
