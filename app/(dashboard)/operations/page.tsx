import { Activity } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { OperationStateBadge } from "@/components/status/badges";
import { EmptyState, FilterBar, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import {
  findRecentOperations,
  OPERATION_KINDS,
  OPERATION_STATES,
  operationFilterSchema,
} from "@/lib/server/operations/find-operations";

export const metadata: Metadata = { title: "Operations" };

const KIND_LABEL: Record<(typeof OPERATION_KINDS)[number], string> = {
  deploy: "Deploy",
  upgrade: "Upgrade",
  backup: "Backup",
  restore: "Restore",
  verify: "Verification",
};
const STATE_LABEL: Record<(typeof OPERATION_STATES)[number], string> = {
  queued: "Queued",
  running: "Running",
  rolling_back: "Rolling back",
  succeeded: "Succeeded",
  failed: "Failed",
  rolled_back: "Rolled back",
};

export default async function OperationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("operations.read", "/operations");
  const filter = operationFilterSchema.parse(await searchParams);
  const filtered = Boolean(filter.kind || filter.state || filter.instance);
  const operations = await findRecentOperations(db(), viewer, filter);
  return (
    <>
      <PageHeader
        title="Operations"
        description={
          seesWholeFleet(viewer.role)
            ? "Deployments, upgrades, backups, restores and verifications, with their live progress and journal."
            : "The operations on your units' instances (upgrades, backups, restores), read-only."
        }
      />
      {(operations.length > 0 || filtered) && (
        <FilterBar
          action="/operations"
          current={filter}
          selects={[
            { name: "kind", label: "Kind", options: OPERATION_KINDS.map((k) => [k, KIND_LABEL[k]]) },
            { name: "state", label: "State", options: OPERATION_STATES.map((k) => [k, STATE_LABEL[k]]) },
          ]}
          texts={[{ name: "instance", label: "Instance", placeholder: "name" }]}
        />
      )}
      {operations.length === 0 && filtered ? (
        <p className="text-sm text-slate-600">No operation matches these filters.</p>
      ) : operations.length === 0 ? (
        <EmptyState icon={Activity} title="No operation has run yet">
          Every action that changes an instance is recorded here step by step, so the same record is the progress bar,
          the log and the history.
        </EmptyState>
      ) : (
        <Table
          caption="Recent operations"
          columns={["Started", "Kind", "Instance", "State", "Step", "By", "Finished"]}
          rows={operations.map((o) => ({
            key: o.id,
            cells: [
              <Link key="d" href={`/operations/${o.id}`} className="text-sky-800 underline">
                {formatDateTime(o.createdAt)}
              </Link>,
              KIND_LABEL[o.kind as keyof typeof KIND_LABEL] ?? o.kind,
              o.instance?.name ?? "—",
              <OperationStateBadge key="s" value={o.state} />,
              o.currentStep ?? "—",
              o.requestedBy?.email ?? "system",
              formatDateTime(o.finishedAt),
            ],
          }))}
        />
      )}
    </>
  );
}
