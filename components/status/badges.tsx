import { StatusBadge, type Tone } from "@/components/ui";

/** Domain states → word + icon. One place, so every page says the same thing. */

const reachability: Record<string, [Tone, string]> = {
  unknown: ["neutral", "Not checked yet"],
  reachable: ["ok", "Reachable"],
  unreachable: ["error", "Unreachable"],
};

const instanceState: Record<string, [Tone, string]> = {
  unknown: ["neutral", "Not checked yet"],
  running: ["ok", "Running"],
  degraded: ["warning", "Degraded"],
  stopped: ["error", "Stopped"],
  unreachable: ["error", "Host unreachable"],
};

const backupStatus: Record<string, [Tone, string]> = {
  pending: ["neutral", "Queued"],
  running: ["busy", "Running"],
  succeeded: ["ok", "Succeeded"],
  failed: ["error", "Failed"],
  pruned: ["neutral", "Pruned"],
};

const verification: Record<string, [Tone, string]> = {
  not_verified: ["warning", "Not verified"],
  running: ["busy", "Verifying"],
  passed: ["ok", "Verified"],
  failed: ["error", "Verification failed"],
};

const operationState: Record<string, [Tone, string]> = {
  queued: ["neutral", "Queued"],
  running: ["busy", "Running"],
  succeeded: ["ok", "Succeeded"],
  failed: ["error", "Failed"],
  rolling_back: ["busy", "Rolling back"],
  rolled_back: ["warning", "Rolled back"],
  cancelled: ["neutral", "Cancelled"],
};

const outcome: Record<string, [Tone, string]> = {
  success: ["ok", "Success"],
  failure: ["error", "Failure"],
  denied: ["warning", "Denied"],
};

function badge(table: Record<string, [Tone, string]>, value: string) {
  const [tone, label] = table[value] ?? ["neutral", value];
  return <StatusBadge tone={tone} label={label} />;
}

export const ReachabilityBadge = ({ value }: { value: string }) => badge(reachability, value);
export const InstanceStateBadge = ({ value }: { value: string }) => badge(instanceState, value);
export const BackupStatusBadge = ({ value }: { value: string }) => badge(backupStatus, value);
export const VerificationBadge = ({ value }: { value: string }) => badge(verification, value);
export const OperationStateBadge = ({ value }: { value: string }) => badge(operationState, value);
export const OutcomeBadge = ({ value }: { value: string }) => badge(outcome, value);

/** Why a backup was taken, in words. */
export const BACKUP_TRIGGER = {
  scheduled: "Scheduled",
  manual: "On demand",
  pre_upgrade: "Before upgrade",
  pre_restore: "Before restore",
} as const;
