import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import { FleetFilters, FleetTable } from "@/components/fleet/fleet-table";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can, seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { findFleet, fleetFilterOptions, parseFleetFilters } from "@/lib/server/fleet/find-fleet";

export const metadata: Metadata = { title: "Instances" };

export default async function InstancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("fleet.read", "/instances");
  const filters = parseFleetFilters(await searchParams);
  const [rows, options] = await Promise.all([findFleet(db(), viewer, filters), fleetFilterOptions(db(), viewer)]);
  const filtered = !!(filters.unit || filters.host || filters.state);
  return (
    <>
      <PageHeader
        title="eLabFTW instances"
        description="Each instance with its unit, host, state, health, version and last backup, as last observed."
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
            <FleetTable rows={rows} now={now()} showHost={seesWholeFleet(viewer.role)} />
          )}
        </>
      )}
    </>
  );
}
