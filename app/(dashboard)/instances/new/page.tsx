import type { Metadata } from "next";
import { AddInstanceForm } from "@/components/instances/add-instance-form";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { Server } from "lucide-react";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { findHosts } from "@/lib/server/hosts/find-hosts";
import { findUnits } from "@/lib/server/units/find-units";

export const metadata: Metadata = { title: "Add an instance by hand" };

export default async function NewInstancePage() {
  const viewer = await requirePermission("instances.manage", "/instances/new");
  const [units, hosts] = await Promise.all([findUnits(db(), viewer), findHosts(db())]);
  return (
    <>
      <PageHeader
        title="Add an instance by hand"
        description="For layouts that discovery cannot read. Usually, open a host and use Discover instead: it fills all of this in from the containers."
      />
      {hosts.length === 0 ? (
        <EmptyState
          icon={Server}
          title="No Docker host yet"
          action={<ButtonLink href="/hosts/new">Add a host</ButtonLink>}
        >
          An instance lives on a host: add the host first.
        </EmptyState>
      ) : (
        <AddInstanceForm
          units={units.map((u) => ({ id: u.id, label: `${u.code} · ${u.name}` }))}
          hosts={hosts.map((h) => ({ id: h.id, label: h.name }))}
        />
      )}
    </>
  );
}
