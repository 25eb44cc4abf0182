import { Pencil } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteHostButton, ForgetFingerprintButton, TestConnectionButton } from "@/components/hosts/host-actions";
import { ReachabilityBadge } from "@/components/status/badges";
import { Alert, ButtonLink, Card, PageHeader, Table, Facts } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatAge, formatBytes, formatDateTime } from "@/lib/format";
import { findHost } from "@/lib/server/hosts/find-hosts";
import { isUuid } from "@/lib/server/ids";
import { findUnits } from "@/lib/server/units/find-units";
import { DiscoverPanel } from "@/components/instances/discover-panel";
import { KIND_LABEL } from "@/components/hosts/labels";

export const metadata: Metadata = { title: "Host" };

export default async function HostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("hosts.read", `/hosts/${id}`);
  const host = isUuid(id) ? await findHost(db(), id) : null;
  if (!host) notFound();
  const manage = can(viewer.role, "hosts.manage");
  const snapshot = host.snapshot;
  const at = now();
  const instances = host.webInstances.length + host.databaseInstances.length;
  return (
    <>
      <PageHeader
        title={host.name}
        description={`${KIND_LABEL[host.kind]} · ${host.port ? `${host.address}:${host.port}` : host.address}`}
        actions={
          manage && (
            <>
              <ButtonLink href={`/hosts/${host.id}/edit`}>
                <Pencil aria-hidden className="size-4" />
                Edit
              </ButtonLink>
              <DeleteHostButton hostId={host.id} name={host.name} instances={instances} />
            </>
          )
        }
      />
      <div className="space-y-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="flex items-center gap-2 text-sm text-slate-700">
            <ReachabilityBadge value={host.reachability} />
            {host.lastSnapshotAt
              ? `last reading ${formatAge(host.lastSnapshotAt, at)} (${formatDateTime(host.lastSnapshotAt)})`
              : "not read yet"}
          </div>
          {manage && <TestConnectionButton hostId={host.id} />}
        </div>
        {host.reachability === "unreachable" && host.lastSnapshotError && (
          <Alert tone="error" title="The last reading failed">
            {host.lastSnapshotError}
          </Alert>
        )}
        <div className="grid gap-5 lg:grid-cols-2">
          <Card title="Engine">
            {snapshot ? (
              <Facts
                items={[
                  ["Docker", `${snapshot.engine.version} (API ${snapshot.engine.apiVersion})`],
                  ["System", `${snapshot.engine.operatingSystem}, ${snapshot.engine.architecture}`],
                  ["Kernel", snapshot.engine.kernelVersion],
                  ["CPUs, memory", `${snapshot.engine.cpus}, ${formatBytes(snapshot.engine.memoryBytes)}`],
                  ["Data directory", <code key="d">{snapshot.engine.dockerRootDir}</code>],
                  [
                    "Free space there",
                    host.freeBytes !== null
                      ? formatBytes(host.freeBytes)
                      : `unknown${snapshot.freeBytesNote ? ` (${snapshot.freeBytesNote})` : ""}`,
                  ],
                  ["Containers", `${snapshot.containers.length} (${snapshot.containersRunning} running)`],
                ]}
              />
            ) : (
              <p className="text-sm text-slate-600">
                No reading yet. Use “Test connection”, or wait for the next minute.
              </p>
            )}
          </Card>
          <Card title="Connection">
            <Facts
              items={[
                ["Type", KIND_LABEL[host.kind]],
                ["Address", <code key="a">{host.port ? `${host.address}:${host.port}` : host.address}</code>],
                ...(host.kind === "ssh"
                  ? ([
                      ["User", host.sshUser ?? "—"],
                      ["Private key", host.hasSshKey ? "stored encrypted" : "missing"],
                      [
                        "Host key",
                        host.sshHostFingerprint ? (
                          <code key="f" className="break-all">
                            {host.sshHostFingerprint}
                          </code>
                        ) : (
                          "pinned at the next connection"
                        ),
                      ],
                    ] as [string, React.ReactNode][])
                  : []),
                ...(host.kind === "tcp_tls"
                  ? ([
                      ["Certificates", "CA and client certificate stored"],
                      ["Client key", host.hasClientKey ? "stored encrypted" : "missing"],
                    ] as [string, React.ReactNode][])
                  : []),
                [
                  "Instances",
                  instances === 0
                    ? "none in the inventory"
                    : [...host.webInstances, ...host.databaseInstances].map((i, n) => (
                        <span key={i.id}>
                          {n > 0 && ", "}
                          <Link href={`/instances/${i.id}`} className="text-sky-800 underline">
                            {i.name}
                          </Link>
                        </span>
                      )),
                ],
              ]}
            />
            {manage && host.kind === "ssh" && host.sshHostFingerprint && (
              <div className="mt-3">
                <ForgetFingerprintButton hostId={host.id} fingerprint={host.sshHostFingerprint} />
              </div>
            )}
          </Card>
        </div>
        {can(viewer.role, "instances.manage") && (
          <DiscoverPanel hostId={host.id} units={await findUnits(db(), viewer)} />
        )}
        {snapshot && (
          <Card title={`Containers at the last reading (${snapshot.containers.length})`}>
            {snapshot.containers.length === 0 ? (
              <p className="text-sm text-slate-600">No container on this engine.</p>
            ) : (
              <Table
                caption="Containers"
                columns={["Name", "Image", "State", "Compose project"]}
                rows={snapshot.containers.map((c) => ({
                  key: c.id,
                  cells: [
                    c.name,
                    <code key="i" className="text-xs">
                      {c.image}
                    </code>,
                    c.status,
                    c.labels["com.docker.compose.project"] ?? "—",
                  ],
                }))}
              />
            )}
          </Card>
        )}
      </div>
    </>
  );
}
