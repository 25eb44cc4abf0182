import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { HostForm } from "@/components/hosts/host-form";
import { PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { findHost } from "@/lib/server/hosts/find-hosts";
import { isUuid } from "@/lib/server/ids";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("hostForm"))("editMeta") };
}

export default async function EditHostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePermission("hosts.manage", `/hosts/${id}/edit`);
  const host = isUuid(id) ? await findHost(db(), id) : null;
  if (!host) notFound();
  const t = await getTranslations("hostForm");
  return (
    <>
      <PageHeader title={t("editTitle", { name: host.name })} description={t("editDescription")} />
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
