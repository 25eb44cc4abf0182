import { Boxes, Server } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { FleetFilters, FleetTable } from "@/components/fleet/fleet-table";
import { ReachabilityBadge } from "@/components/status/badges";
import { ButtonLink, Card, EmptyState, PageHeader, Stat } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatAge } from "@/lib/format";
import { byAttention, findFleet, fleetFilterOptions, parseFleetFilters } from "@/lib/server/fleet/find-fleet";
import { getFleetSummary } from "@/lib/server/fleet/get-fleet-summary";
import { findHosts } from "@/lib/server/hosts/find-hosts";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("nav"))("dashboard") };
}

const DASHBOARD_ROWS = 50;

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("fleet.read", "/");
  const staff = seesWholeFleet(viewer.role);
  const t = await getTranslations("dashboard");
  const locale = await getLocale();
  const filters = parseFleetFilters(await searchParams);
  const [summary, rows, options, hosts] = await Promise.all([
    getFleetSummary(db(), viewer),
    findFleet(db(), viewer, filters),
    fleetFilterOptions(db(), viewer),
    staff ? findHosts(db()) : Promise.resolve([]),
  ]);
  const at = now();
  const updatable = rows.filter((r) => r.updates?.newest).length;
  const scored = rows.filter((r) => r.complianceScore !== null);
  const compliance = scored.length
    ? Math.round(scored.reduce((sum, r) => sum + r.complianceScore!, 0) / scored.length)
    : null;
  const belowFull = scored.filter((r) => r.complianceScore! < 100).length;
  // At a glance: what needs attention first, at most DASHBOARD_ROWS rows; the Instances page lists them all.
  const shown = byAttention(rows, at).slice(0, DASHBOARD_ROWS);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="mb-5 grid grid-cols-2 gap-3 lg:grid-cols-6">
        {staff && (
          <Stat
            label={t("hosts")}
            value={summary.hosts}
            detail={summary.unreachableHosts ? t("unreachable", { count: summary.unreachableHosts }) : undefined}
          />
        )}
        <Stat
          label={t("instances")}
          value={summary.instances}
          detail={updatable ? t("updatable", { count: updatable }) : undefined}
        />
        <Stat label={t("units")} value={summary.units} />
        <Stat
          label={t("compliance")}
          value={compliance === null ? "—" : `${compliance} %`}
          detail={
            compliance === null
              ? t("complianceNone")
              : belowFull
                ? t("complianceBelow", { count: belowFull })
                : t("complianceAll")
          }
        />
        {staff && <Stat label={t("running")} value={summary.operationsRunning} />}
        <Stat label={t("failedBackups")} value={summary.failedBackupsLast7Days} />
      </div>
      {summary.instances === 0 && !staff ? (
        <EmptyState icon={Boxes} title={t("emptyUnitTitle")}>
          {t("emptyUnitBody")}
        </EmptyState>
      ) : summary.instances === 0 ? (
        summary.hosts === 0 ? (
          <EmptyState
            icon={Server}
            title={t("emptyHostsTitle")}
            action={<ButtonLink href="/hosts/new">{t("addHost")}</ButtonLink>}
          >
            {t("emptyHostsBody")}
          </EmptyState>
        ) : (
          <EmptyState
            icon={Boxes}
            title={t("emptyInstancesTitle")}
            action={<ButtonLink href="/hosts">{t("goHosts")}</ButtonLink>}
          >
            {t("emptyInstancesBody")}
          </EmptyState>
        )
      ) : (
        <Card title={t("instancesCard")}>
          <FleetFilters action="/" options={options} current={filters} />
          {rows.length === 0 ? (
            <p className="text-sm text-slate-600">{t("noMatch")}</p>
          ) : (
            <>
              <FleetTable rows={shown} now={at} showHost={staff} />
              {rows.length > shown.length && (
                <p className="mt-2 text-sm text-slate-600">
                  {t("mostAttention", { shown: shown.length, total: rows.length })}{" "}
                  <Link href="/instances" className="text-sky-800 underline">
                    {t("seeAll")}
                  </Link>
                  .
                </p>
              )}
            </>
          )}
        </Card>
      )}
      {staff && hosts.length > 0 && (
        <Card title={t("hostsCard")} className="mt-5">
          <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
            {hosts.map((h) => (
              <li
                key={h.id}
                className="flex items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2"
              >
                <Link href={`/hosts/${h.id}`} className="font-medium text-sky-800 underline">
                  {h.name}
                </Link>
                <span className="flex items-center gap-2 text-xs text-slate-600">
                  <ReachabilityBadge value={h.reachability} />
                  {h.lastSnapshotAt ? formatAge(h.lastSnapshotAt, at, locale) : t("neverRead")}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}
