import { Download, ScrollText } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { OutcomeBadge } from "@/components/status/badges";
import { ButtonLink, EmptyState, FilterBar, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import {
  AUDIT_OUTCOMES,
  auditNames,
  findAuditPage,
  parseAuditFilter,
  withoutCursor,
  type AuditFilter,
} from "@/lib/server/audit/find-audit-events";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("audit"))("title") };
}

function query(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, ...extra })) if (v && k !== "before") params.set(k, v);
  if (extra.before) params.set("before", extra.before);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("audit.read", "/audit");
  const t = await getTranslations("audit");
  const ts = await getTranslations("status.outcome");
  const locale = await getLocale();
  const filter = parseAuditFilter(await searchParams);
  const criteria = withoutCursor(filter);
  const filtered = Object.values(criteria).some(Boolean);
  const { events, olderCursor } = await findAuditPage(db(), viewer, filter);
  const names = await auditNames(db(), events);
  const target = (e: (typeof events)[number]) => {
    if (e.targetType === "instance" && e.targetId) {
      return t("target.instance", { name: names.instance.get(e.targetId) ?? e.targetId });
    }
    if (e.targetType) return `${e.targetType} ${e.targetId ?? ""}`.trim();
    if (e.instanceId) return t("target.instance", { name: names.instance.get(e.instanceId) ?? e.instanceId });
    if (e.unitId) return t("target.unit", { code: names.unit.get(e.unitId) ?? e.unitId });
    return "—";
  };
  return (
    <>
      <PageHeader
        title={t("title")}
        description={seesWholeFleet(viewer.role) ? t("descriptionStaff") : t("descriptionUnit")}
        actions={
          <div className="flex gap-2">
            <ButtonLink download href={`/api/audit/export${query(criteria, { format: "csv" })}`}>
              <Download aria-hidden className="size-4" /> {t("exportCsv")}
            </ButtonLink>
            <ButtonLink download href={`/api/audit/export${query(criteria, { format: "json" })}`}>
              <Download aria-hidden className="size-4" /> {t("exportJson")}
            </ButtonLink>
          </div>
        }
      />
      <FilterBar
        action="/audit"
        current={criteria}
        selects={[{ name: "outcome", label: t("filter.outcome"), options: AUDIT_OUTCOMES.map((o) => [o, ts(o)]) }]}
        texts={(["operator", "action", "instance", "unit"] as const).map((name) => ({
          name,
          label: t(`filter.${name}`),
          placeholder: t(`filter.${name}Hint`),
        }))}
        dates={(["from", "to"] as const).map((name) => ({ name, label: t(`filter.${name}`) }))}
      />
      {events.length === 0 && (filtered || filter.before) ? (
        <p className="text-sm text-slate-600">{t("noMatch")}</p>
      ) : events.length === 0 ? (
        <EmptyState icon={ScrollText} title={t("emptyTitle")}>
          {t("emptyBody")}
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t("caption")}
            columns={(["when", "who", "from", "action", "target", "outcome", "details"] as const).map((c) =>
              t(`col.${c}`),
            )}
            rows={events.map((e) => ({
              key: String(e.id),
              cells: [
                formatDateTime(e.at, locale),
                <span key="w" title={e.securityKeyId ? t("keyTitle", { id: e.securityKeyId }) : undefined}>
                  {e.actorLabel ?? e.actorType}
                </span>,
                <span key="f" title={e.userAgent ?? undefined}>
                  {e.ip ?? "—"}
                </span>,
                <code key="a" className="font-mono text-xs">
                  {e.action}
                </code>,
                target(e),
                <OutcomeBadge key="o" value={e.outcome} />,
                <Details
                  key="d"
                  params={e.params}
                  reason={e.reason}
                  userAgent={e.userAgent}
                  words={{ show: t("show"), reason: t("reason"), browser: t("browser") }}
                />,
              ],
            }))}
          />
          <nav aria-label={t("pages")} className="mt-3 flex gap-4 text-sm">
            {filter.before && (
              <Link href={`/audit${query(criteria)}`} className="text-sky-800 underline">
                {t("newest")}
              </Link>
            )}
            {olderCursor && (
              <Link href={`/audit${query(criteria, { before: olderCursor })}`} className="text-sky-800 underline">
                {t("older")}
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}

function Details({
  params,
  reason,
  userAgent,
  words,
}: {
  params: unknown;
  reason: string | null;
  userAgent: string | null;
  words: { show: string; reason: string; browser: string };
}) {
  const entries = params && typeof params === "object" ? Object.entries(params as Record<string, unknown>) : [];
  if (entries.length === 0 && !reason && !userAgent) return <span>—</span>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-sky-800">{words.show}</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="font-mono break-all">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
        {reason && (
          <div className="contents">
            <dt className="text-slate-500">{words.reason}</dt>
            <dd className="font-mono">{reason}</dd>
          </div>
        )}
        {userAgent && (
          <div className="contents">
            <dt className="text-slate-500">{words.browser}</dt>
            <dd className="break-all">{userAgent}</dd>
          </div>
        )}
      </dl>
    </details>
  );
}
