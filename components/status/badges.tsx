import { useTranslations } from "next-intl";
import { StatusBadge, type Tone } from "@/components/ui";

/** Domain states → word + icon. One place, so every page says the same thing, in the reader's language. */

const reachability: Record<string, Tone> = { unknown: "neutral", reachable: "ok", unreachable: "error" };
const instanceState: Record<string, Tone> = {
  unknown: "neutral",
  running: "ok",
  degraded: "warning",
  stopped: "error",
  unreachable: "error",
};
const backupStatus: Record<string, Tone> = {
  pending: "neutral",
  running: "busy",
  succeeded: "ok",
  failed: "error",
  pruned: "neutral",
};
const verification: Record<string, Tone> = { not_verified: "warning", running: "busy", passed: "ok", failed: "error" };
const operationState: Record<string, Tone> = {
  queued: "neutral",
  running: "busy",
  succeeded: "ok",
  failed: "error",
  rolling_back: "busy",
  rolled_back: "warning",
  cancelled: "neutral",
};
const outcome: Record<string, Tone> = { success: "ok", failure: "error", denied: "warning" };

type Group = "reachability" | "instance" | "backup" | "verification" | "operation" | "outcome";

function Badge({ group, tones, value }: { group: Group; tones: Record<string, Tone>; value: string }) {
  const t = useTranslations("status");
  const tone = tones[value];
  // An unknown value is shown as it is rather than hidden.
  return <StatusBadge tone={tone ?? "neutral"} label={tone ? t(`${group}.${value}`) : value} />;
}

export const ReachabilityBadge = ({ value }: { value: string }) => (
  <Badge group="reachability" tones={reachability} value={value} />
);
export const InstanceStateBadge = ({ value }: { value: string }) => (
  <Badge group="instance" tones={instanceState} value={value} />
);
export const BackupStatusBadge = ({ value }: { value: string }) => (
  <Badge group="backup" tones={backupStatus} value={value} />
);
export const VerificationBadge = ({ value }: { value: string }) => (
  <Badge group="verification" tones={verification} value={value} />
);
export const OperationStateBadge = ({ value }: { value: string }) => (
  <Badge group="operation" tones={operationState} value={value} />
);
export const OutcomeBadge = ({ value }: { value: string }) => <Badge group="outcome" tones={outcome} value={value} />;
