import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { InstanceStateBadge } from "@/components/status/badges";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { findInstances } from "@/lib/server/instances/find-instances";

export const metadata: Metadata = { title: "Instances" };

export default async function InstancesPage() {
  const viewer = await requirePermission("fleet.read", "/instances");
  const instances = await findInstances(db(), viewer);
  return (
    <>
      <PageHeader title="eLabFTW instances" description="Each instance with its unit, host, version and state." />
      {instances.length === 0 ? (
        <EmptyState icon={Boxes} title="No instance in the inventory">
          Instances already running on a host will be discovered and adopted from the Hosts page; new ones deployed with
          the reference installation&apos;s secure defaults. Both arrive with the inventory feature.
        </EmptyState>
      ) : (
        <Table
          caption="eLabFTW instances"
          columns={["Instance", "Unit", "Host", "Version", "State", "Site"]}
          rows={instances.map((i) => ({
            key: i.id,
            cells: [
              <span key="n" className="font-medium">
                {i.name}
              </span>,
              i.unit.code,
              i.webHost.name,
              i.elabftwVersion ?? i.imageTag,
              <InstanceStateBadge key="s" value={i.state} />,
              <span key="u" className="font-mono text-xs">
                {i.siteUrl}
              </span>,
            ],
          }))}
        />
      )}
    </>
  );
}
