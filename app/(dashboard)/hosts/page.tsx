import { Plus, Server } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { ReachabilityBadge } from "@/components/status/badges";
import { ButtonLink, EmptyState, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatAge, formatBytes } from "@/lib/format";
import { findHosts } from "@/lib/server/hosts/find-hosts";
import { KIND_LABEL } from "@/components/hosts/labels";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  const viewer = await requirePermission("hosts.read", "/hosts");
  const hosts = await findHosts(db());
  const at = now();
  const add = can(viewer.role, "hosts.manage") ? (
    <ButtonLink href="/hosts/new" variant="primary">
      <Plus aria-hidden className="size-4" />
      Add a host
    </ButtonLink>
  ) : undefined;
  return (
    <>
      <PageHeader
        title="Docker hosts"
        description="The Docker engines Paillasse drives, reached by unix socket, TCP with mutual TLS, or SSH. Each is read every minute; the page shows the last reading and its age."
        actions={add}
      />
      {hosts.length === 0 ? (
        <EmptyState icon={Server} title="No Docker host registered" action={add}>
          Add the Docker host that runs eLabFTW (its socket if it is this machine, else TCP with mutual TLS or SSH); its
          instances are then discovered and adopted, not re-typed.
        </EmptyState>
      ) : (
        <Table
          caption="Docker hosts"
          columns={["Name", "Connection", "Address", "Status", "Engine", "Free space", "Last reading", "Instances"]}
          rows={hosts.map((h) => ({
            key: h.id,
            cells: [
              <Link key="n" href={`/hosts/${h.id}`} className="font-medium text-sky-800 underline">
                {h.name}
              </Link>,
              KIND_LABEL[h.kind],
              <code key="a" className="font-mono text-xs">
                {h.port ? `${h.address}:${h.port}` : h.address}
              </code>,
              <span key="r" title={h.lastSnapshotError ?? undefined}>
                <ReachabilityBadge value={h.reachability} />
              </span>,
              h.engineVersion ?? "—",
              formatBytes(h.freeBytes),
              h.lastSnapshotAt ? formatAge(h.lastSnapshotAt, at) : "never",
              h._count.webInstances,
            ],
          }))}
        />
      )}
    </>
  );
}
