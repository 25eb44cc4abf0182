import { Activity } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/authorize";
import { OperationStateBadge } from "@/components/status/badges";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findRecentOperations } from "@/lib/server/operations/find-operations";

export const metadata: Metadata = { title: "Operations" };

export default async function OperationsPage() {
  await requirePermission("operations.read", "/operations");
  const operations = await findRecentOperations(db());
  return (
    <>
      <PageHeader
        title="Operations"
        description="Deployments, upgrades, backups, restores and verifications, with their live progress and journal."
      />
      {operations.length === 0 ? (
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
              o.kind,
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
