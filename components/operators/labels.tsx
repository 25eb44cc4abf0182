import { useLocale, useTranslations } from "next-intl";
import { StatusBadge } from "@/components/ui";
import { formatDateTime } from "@/lib/format";

export function AccountBadge({ disabledAt, expiresAt, now }: { disabledAt: Date | null; expiresAt: Date; now: Date }) {
  const t = useTranslations("account");
  const locale = useLocale();
  if (disabledAt) return <StatusBadge tone="error" label={t("disabled")} />;
  if (expiresAt <= now) return <StatusBadge tone="warning" label={t("expired")} />;
  return <StatusBadge tone="ok" label={t("activeUntil", { at: formatDateTime(expiresAt, locale) })} />;
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
  const t = useTranslations("keyState");
  const locale = useLocale();
  if (revokedAt) return <StatusBadge tone="neutral" label={t("revoked", { at: formatDateTime(revokedAt, locale) })} />;
  if (suspendedAt) return <StatusBadge tone="error" label={t("suspended")} title={suspendedReason ?? undefined} />;
  return <StatusBadge tone="ok" label={t("active")} />;
}

/** The model of a key: its metadata name when known, else its AAGUID. */
export function KeyModel({ modelName, aaguid }: { modelName: string | null; aaguid: string }) {
  const t = useTranslations("keyState");
  if (modelName) return <>{modelName}</>;
  if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(aaguid)) return <>{t("unknownModel")}</>;
  return <>{aaguid}</>;
}
