import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { FleetFilters, FleetTable } from "@/components/fleet/fleet-table";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can, seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { findFleet, fleetFilterOptions, parseFleetFilters } from "@/lib/server/fleet/find-fleet";

export const metadata: Metadata = { title: "Instances" };

const PAGE = 100;

export default async function InstancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("fleet.read", "/instances");
  const filters = parseFleetFilters(await searchParams);
  const [rows, options] = await Promise.all([findFleet(db(), viewer, filters), fleetFilterOptions(db(), viewer)]);
  const filtered = !!(filters.unit || filters.host || filters.state);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const rawPage = Number((await searchParams).page ?? 1);
  const page = Number.isInteger(rawPage) && rawPage >= 1 && rawPage <= pages ? rawPage : 1;
  const shown = rows.slice((page - 1) * PAGE, page * PAGE);
  const pageLink = (n: number) => {
    const query = new URLSearchParams(
      Object.entries({ ...filters, page: String(n) }).filter(([, v]) => v) as [string, string][],
    );
    return `/instances?${query}`;
  };
  return (
    <>
      <PageHeader
        title="eLabFTW instances"
        description="Each instance with its unit, host, state, health, version and last backup, as last observed."
        actions={
          can(viewer.role, "instances.deploy") ? (
            <div className="flex gap-2">
              <ButtonLink href="/instances/new">Add by hand</ButtonLink>
              <ButtonLink href="/instances/deploy" variant="primary">
                Deploy a new instance
              </ButtonLink>
            </div>
          ) : undefined
        }
      />
      {rows.length === 0 && !filtered ? (
        <EmptyState
          icon={Boxes}
          title="No instance in the inventory"
          action={can(viewer.role, "instances.manage") ? <ButtonLink href="/hosts">Go to Hosts</ButtonLink> : undefined}
        >
          {seesWholeFleet(viewer.role)
            ? "Open a host and use Discover: the eLabFTW instances running there are listed, ready to adopt."
            : "No instance of your units is in the panel yet. Ask the service informatique if you expected one."}
        </EmptyState>
      ) : (
        <>
          <FleetFilters action="/instances" options={options} current={filters} />
          {rows.length === 0 ? (
            <p className="text-sm text-slate-600">No instance matches these filters.</p>
          ) : (
            <>
              <FleetTable rows={shown} now={now()} showHost={seesWholeFleet(viewer.role)} />
              {pages > 1 && (
                <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm text-slate-700">
                  {page > 1 && (
                    <Link href={pageLink(page - 1)} className="text-sky-800 underline">
                      Previous
                    </Link>
                  )}
                  <span>
                    Page {page} of {pages} ({rows.length} instances)
                  </span>
                  {page < pages && (
                    <Link href={pageLink(page + 1)} className="text-sky-800 underline">
                      Next
                    </Link>
                  )}
                </nav>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}
