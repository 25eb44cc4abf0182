import { Server } from "lucide-react";
import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { ReachabilityBadge } from "@/components/status/badges";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findHosts } from "@/lib/server/hosts/find-hosts";

export const metadata: Metadata = { title: "Hosts" };

const KIND_LABEL = { socket: "Unix socket", tcp_tls: "TCP + mutual TLS", ssh: "SSH" } as const;

export default async function HostsPage() {
  await requirePermission("hosts.read", "/hosts");
  const hosts = await findHosts(db());
  return (
    <>
      <PageHeader
        title="Docker hosts"
        description="The Docker engines Paillasse drives, reached by unix socket, TCP with mutual TLS, or SSH."
      />
      {hosts.length === 0 ? (
        <EmptyState icon={Server} title="No Docker host registered">
          When the panel starts on a machine with a Docker socket, that socket is registered here as the host “local”.
          Adding remote hosts (TCP with mutual TLS, SSH) arrives with the inventory feature.
        </EmptyState>
      ) : (
        <Table
          caption="Docker hosts"
          columns={["Name", "Connection", "Address", "Status", "Engine", "Last checked", "Instances"]}
          rows={hosts.map((h) => ({
            key: h.id,
            cells: [
              <span key="n" className="font-medium">
                {h.name}
              </span>,
              KIND_LABEL[h.kind],
              <code key="a" className="font-mono text-xs">
                {h.port ? `${h.address}:${h.port}` : h.address}
              </code>,
              <ReachabilityBadge key="r" value={h.reachability} />,
              h.engineVersion ?? "—",
              formatDateTime(h.lastSnapshotAt),
              h._count.webInstances,
            ],
          }))}
        />
      )}
    </>
  );
}
