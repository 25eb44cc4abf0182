import { Boxes, Server } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { FleetFilters, FleetTable } from "@/components/fleet/fleet-table";
import { ReachabilityBadge } from "@/components/status/badges";
import { ButtonLink, Card, EmptyState, PageHeader, Stat } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatAge } from "@/lib/format";
import { byAttention, findFleet, fleetFilterOptions, parseFleetFilters } from "@/lib/server/fleet/find-fleet";
import { getFleetSummary } from "@/lib/server/fleet/get-fleet-summary";
import { findHosts } from "@/lib/server/hosts/find-hosts";

export const metadata: Metadata = { title: "Dashboard" };

const DASHBOARD_ROWS = 50;

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("fleet.read", "/");
  const staff = seesWholeFleet(viewer.role);
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
      <PageHeader
        title="Fleet dashboard"
        description="Every eLabFTW instance of the units you look after: state, health, version, backups."
      />
      <div className="mb-5 grid grid-cols-2 gap-3 lg:grid-cols-6">
        {staff && (
          <Stat
            label="Docker hosts"
            value={summary.hosts}
            detail={summary.unreachableHosts ? `${summary.unreachableHosts} unreachable` : undefined}
          />
        )}
        <Stat
          label="Instances"
          value={summary.instances}
          detail={updatable ? `${updatable} can be updated` : undefined}
        />
        <Stat label="Units" value={summary.units} />
        <Stat
          label="CNRS compliance"
          value={compliance === null ? "—" : `${compliance} %`}
          detail={
            compliance === null
              ? "not checked yet"
              : belowFull
                ? `${belowFull} instance(s) below 100 %`
                : "every check passes"
          }
        />
        {staff && <Stat label="Operations running" value={summary.operationsRunning} />}
        <Stat label="Failed backups (7 days)" value={summary.failedBackupsLast7Days} />
      </div>
      {summary.instances === 0 && !staff ? (
        <EmptyState icon={Boxes} title="No instance of your units is in the panel yet">
          Once the service informatique adopts your unit&apos;s eLabFTW instance, its backup status appears here. Ask
          them if you expected to see it already.
        </EmptyState>
      ) : summary.instances === 0 ? (
        summary.hosts === 0 ? (
          <EmptyState
            icon={Server}
            title="No Docker host yet"
            action={<ButtonLink href="/hosts/new">Add a host</ButtonLink>}
          >
            Start by registering the Docker host that runs eLabFTW. Its instances are then discovered and adopted, not
            re-typed.
          </EmptyState>
        ) : (
          <EmptyState
            icon={Boxes}
            title="No eLabFTW instance in the inventory yet"
            action={<ButtonLink href="/hosts">Go to Hosts</ButtonLink>}
          >
            Open a host and use Discover: the eLabFTW instances running there are listed with their database and
            uploads, ready to adopt under a unit.
          </EmptyState>
        )
      ) : (
        <Card title="Instances">
          <FleetFilters action="/" options={options} current={filters} />
          {rows.length === 0 ? (
            <p className="text-sm text-slate-600">No instance matches these filters.</p>
          ) : (
            <>
              <FleetTable rows={shown} now={at} showHost={staff} />
              {rows.length > shown.length && (
                <p className="mt-2 text-sm text-slate-600">
                  The {shown.length} instances that most need attention of {rows.length}.{" "}
                  <Link href="/instances" className="text-sky-800 underline">
                    See them all on Instances
                  </Link>
                  .
                </p>
              )}
            </>
          )}
        </Card>
      )}
      {staff && hosts.length > 0 && (
        <Card title="Hosts" className="mt-5">
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
                  {h.lastSnapshotAt ? formatAge(h.lastSnapshotAt, at) : "never read"}
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </>
  );
}
