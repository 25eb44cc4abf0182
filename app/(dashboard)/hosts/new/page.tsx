import type { Metadata } from "next";
import { HostForm } from "@/components/hosts/host-form";
import { PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";

export const metadata: Metadata = { title: "Add a host" };

export default async function NewHostPage() {
  await requirePermission("hosts.manage", "/hosts/new");
  return (
    <>
      <PageHeader
        title="Add a Docker host"
        description={
          <>
            The panel tests the connection as soon as you save. Remote engines: TCP with mutual TLS (port 2376, see the
            README for exposing dockerd that way) or SSH to a user of the docker group. Keys are stored encrypted.
          </>
        }
      />
      <HostForm />
    </>
  );
}
