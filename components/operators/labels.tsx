import { StatusBadge } from "@/components/ui";
import { formatDateTime } from "@/lib/format";

export const ROLE_LABEL = { admin: "Admin", operator: "Operator", correspondant: "Correspondant CLE" } as const;

export function AccountBadge({ disabledAt, expiresAt, now }: { disabledAt: Date | null; expiresAt: Date; now: Date }) {
  if (disabledAt) return <StatusBadge tone="error" label="Disabled" />;
  if (expiresAt <= now) return <StatusBadge tone="warning" label="Expired" />;
  return <StatusBadge tone="ok" label={`Active until ${formatDateTime(expiresAt)}`} />;
}

/** A security key's state in words and an icon. */
export function KeyBadge({
  revokedAt,
  suspendedAt,
  suspendedReason,
}: {
  revokedAt: Date | null;
  suspendedAt: Date | null;
  suspendedReason: string | null;
}) {
  if (revokedAt) return <StatusBadge tone="neutral" label={`Revoked ${formatDateTime(revokedAt)}`} />;
  if (suspendedAt) return <StatusBadge tone="error" label="Suspended" title={suspendedReason ?? undefined} />;
  return <StatusBadge tone="ok" label="Active" />;
}

/** The model of a key: its metadata name when known, else its AAGUID. */
export function keyModel(key: { modelName: string | null; aaguid: string }): string {
  if (key.modelName) return key.modelName;
  if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(key.aaguid)) return "Unknown model (no AAGUID)";
  return key.aaguid;
}
