import { ArrowUpCircle } from "lucide-react";
import { useLocale, useTranslations } from "next-intl";
import Link from "next/link";
import { InstanceStateBadge } from "@/components/status/badges";
import { FilterBar, StatusBadge, Table } from "@/components/ui";
import { formatAge } from "@/lib/format";
import type { FleetRow } from "@/lib/server/fleet/find-fleet";

const HEALTH: Record<string, "ok" | "error" | "warning" | "neutral"> = {
  ok: "ok",
  ko: "error",
  unexpected: "warning",
  unknown: "neutral",
};

export function ComplianceBadge({ percent }: { percent: number | null }) {
  const t = useTranslations("status.compliance");
  if (percent === null) return <StatusBadge tone="neutral" label={t("notChecked")} />;
  const tone = percent === 100 ? "ok" : percent >= 50 ? "warning" : "error";
  return <StatusBadge tone={tone} label={`${percent} %`} title={t("title")} />;
}

export function HealthBadge({ value }: { value: string | null }) {
  const t = useTranslations("status.health");
  const key = value && value in HEALTH ? value : "unknown";
  return <StatusBadge tone={HEALTH[key]!} label={t(key)} />;
}

const SCHEMA: Record<FleetRow["schema"]["state"], "ok" | "warning" | "error" | "neutral"> = {
  in_sync: "ok",
  behind: "warning",
  ahead: "error",
  unknown: "neutral",
};

/** What db:check last said: in sync with the image, behind it (an update pending), or ahead of it. */
export function SchemaBadge({ schema }: { schema: FleetRow["schema"] }) {
  const t = useTranslations("status.schema");
  return (
    <StatusBadge
      tone={SCHEMA[schema.state]}
      label={t(schema.state, { current: schema.current ?? 0, required: schema.required ?? 0 })}
    />
  );
}

/** The fleet at a glance: one dense row per instance, every status in words and an icon. */
export function FleetTable({ rows, now, showHost = true }: { rows: FleetRow[]; now: Date; showHost?: boolean }) {
  const t = useTranslations("fleet");
  const locale = useLocale();
  return (
    <Table
      caption={t("caption")}
      columns={[
        t("col.instance"),
        t("col.unit"),
        ...(showHost ? [t("col.host")] : []),
        t("col.state"),
        t("col.health"),
        t("col.version"),
        t("col.schema"),
        t("col.compliance"),
        t("col.lastBackup"),
        t("col.checked"),
      ]}
      rows={rows.map((r) => ({
        key: r.id,
        cells: [
          <Link key="n" href={`/instances/${r.id}`} className="font-medium text-sky-800 underline">
            {r.name}
          </Link>,
          r.unit.code,
          ...(showHost
            ? [
                <span key="h" className="inline-flex flex-col">
                  {r.webHost.name}
                  {r.webHost.reachability === "unreachable" && (
                    <span className="text-xs text-red-800">{t("hostUnreachable")}</span>
                  )}
                </span>,
              ]
            : []),
          <InstanceStateBadge key="s" value={r.state} />,
          <HealthBadge key="hl" value={r.health} />,
          <span key="v" className="inline-flex flex-col gap-0.5">
            <span className="font-mono text-xs">{r.version ?? r.imageTag}</span>
            {r.updates?.newest && (
              <span className="inline-flex items-center gap-1 text-xs text-sky-900">
                <ArrowUpCircle aria-hidden className="size-3.5" />
                {t("available", { version: r.updates.newest })}
              </span>
            )}
            {r.updates?.newestPatch && r.updates.newestPatch !== r.updates.newest && (
              <span className="text-xs text-sky-900">{t("patch", { version: r.updates.newestPatch })}</span>
            )}
          </span>,
          <SchemaBadge key="sc" schema={r.schema} />,
          <ComplianceBadge key="c" percent={r.complianceScore} />,
          r.lastBackup?.finishedAt ? (
            formatAge(r.lastBackup.finishedAt, now, locale)
          ) : (
            <StatusBadge key="b" tone="warning" label={t("never")} />
          ),
          r.observedAt ? formatAge(r.observedAt, now, locale) : t("neverChecked"),
        ],
      }))}
    />
  );
}

/** Filters as a plain GET form: works without JavaScript, the URL can be bookmarked. */
export function FleetFilters({
  action,
  options,
  current,
}: {
  action: string;
  options: { units: string[]; hosts: string[]; states: string[] };
  current: { unit?: string; host?: string; state?: string };
}) {
  const t = useTranslations("fleet.filter");
  return (
    <FilterBar
      action={action}
      current={current}
      selects={[
        { name: "unit", label: t("unit"), options: options.units },
        ...(options.hosts.length > 0 ? [{ name: "host", label: t("host"), options: options.hosts }] : []),
        { name: "state", label: t("state"), options: options.states },
      ]}
    />
  );
}
