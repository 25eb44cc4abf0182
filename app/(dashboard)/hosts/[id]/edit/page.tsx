import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { HostForm } from "@/components/hosts/host-form";
import { PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { findHost } from "@/lib/server/hosts/find-hosts";
import { isUuid } from "@/lib/server/ids";

export const metadata: Metadata = { title: "Edit host" };

export default async function EditHostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePermission("hosts.manage", `/hosts/${id}/edit`);
  const host = isUuid(id) ? await findHost(db(), id) : null;
  if (!host) notFound();
  return (
    <>
      <PageHeader title={`Edit ${host.name}`} description="Saving tests the connection again." />
      <HostForm
        initial={{
          id: host.id,
          name: host.name,
          kind: host.kind,
          socketPath: host.kind === "socket" ? host.address : undefined,
          address: host.kind === "socket" ? undefined : host.address,
          port: host.port,
          sshUser: host.sshUser,
          tlsCaCert: host.tlsCaCert,
          tlsClientCert: host.tlsClientCert,
          hasClientKey: host.hasClientKey,
          hasSshKey: host.hasSshKey,
        }}
      />
    </>
  );
}
