import { PackageX, Server } from "lucide-react";
import type { Metadata } from "next";
import { DeployWizard } from "@/components/instances/deploy-wizard";
import { CheckUpdatesButton } from "@/components/instances/instance-controls";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findHosts } from "@/lib/server/hosts/find-hosts";
import { ELABFTW_REPOSITORY } from "@/lib/server/instances/deploy-plan";
import { readTagCache } from "@/lib/server/registry/tag-cache";
import { stableVersions } from "@/lib/server/registry/versions";
import { findUnits } from "@/lib/server/units/find-units";

export const metadata: Metadata = { title: "Deploy a new instance" };

export default async function DeployPage() {
  const viewer = await requirePermission("instances.deploy", "/instances/deploy");
  const [units, hosts, cache] = await Promise.all([findUnits(db(), viewer), findHosts(db()), readTagCache(db())]);
  const tags = cache[ELABFTW_REPOSITORY];
  const versions = stableVersions(tags?.tags ?? []).reverse();
  return (
    <>
      <PageHeader
        title="Deploy a new instance"
        description="A new eLabFTW with the reference installation's secure defaults: generated secrets, dropped capabilities, a dedicated network. Every step is journaled and undone if the deployment fails."
        actions={<CheckUpdatesButton label="Check the registry again" />}
      />
      {hosts.length === 0 ? (
        <EmptyState
          icon={Server}
          title="No Docker host yet"
          action={<ButtonLink href="/hosts/new">Add a host</ButtonLink>}
        >
          An instance runs on a host: add the host first.
        </EmptyState>
      ) : versions.length === 0 ? (
        <EmptyState icon={PackageX} title="No eLabFTW version known yet">
          {tags?.error
            ? `The registry could not be read (${formatDateTime(new Date(tags.fetchedAt))}): ${tags.error}`
            : "The panel has not read the registry's list of eLabFTW versions yet."}{" "}
          Use “Check the registry again” above; the version list appears here.
        </EmptyState>
      ) : (
        <DeployWizard
          units={units.map((u) => ({ id: u.id, label: `${u.code} · ${u.name}` }))}
          hosts={hosts.map((h) => ({
            id: h.id,
            label: h.reachability === "unreachable" ? `${h.name} (unreachable at the last snapshot)` : h.name,
          }))}
          versions={versions}
        />
      )}
    </>
  );
}
