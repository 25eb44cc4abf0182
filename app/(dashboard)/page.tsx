import { Boxes, Server } from "lucide-react";
import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { ButtonLink, Card, EmptyState, PageHeader, Stat } from "@/components/ui";
import { db } from "@/lib/db";
import { getFleetSummary } from "@/lib/server/fleet/get-fleet-summary";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const viewer = await requirePermission("fleet.read", "/");
  const summary = await getFleetSummary(db(), viewer);
  const staff = seesWholeFleet(viewer.role);
  return (
    <>
      <PageHeader
        title="Fleet dashboard"
        description="Every eLabFTW instance of the units you look after: state, version, backups and compliance."
      />
      <div className="mb-5 grid grid-cols-2 gap-3 lg:grid-cols-5">
        {staff && (
          <Stat
            label="Docker hosts"
            value={summary.hosts}
            detail={summary.unreachableHosts ? `${summary.unreachableHosts} unreachable` : undefined}
          />
        )}
        <Stat label="Instances" value={summary.instances} />
        <Stat label="Units" value={summary.units} />
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
            action={<ButtonLink href="/hosts">Go to Hosts</ButtonLink>}
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
            The fleet table, update detection and the CNRS compliance report appear here once instances are adopted from
            a host. Discovery and adoption arrive with the inventory feature.
          </EmptyState>
        )
      ) : (
        <Card title="Instances">
          <p className="text-sm text-slate-600">
            {summary.instances} instance(s) in the inventory. The fleet table with health, versions and compliance
            arrives with the inventory feature; see{" "}
            <a className="text-sky-800 underline" href="/instances">
              Instances
            </a>{" "}
            meanwhile.
          </p>
        </Card>
      )}
    </>
  );
}
