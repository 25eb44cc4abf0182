import { ScrollText } from "lucide-react";
import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { OutcomeBadge } from "@/components/status/badges";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findRecentAuditEvents } from "@/lib/server/audit/find-audit-events";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  const viewer = await requirePermission("audit.read", "/audit");
  const events = await findRecentAuditEvents(db(), viewer);
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, when, from where, and how it ended." />
      {events.length === 0 ? (
        <EmptyState icon={ScrollText} title="No event recorded yet">
          Sign-ins, key changes and every operator action are recorded here, append-only, once sign-in is in place.
        </EmptyState>
      ) : (
        <Table
          caption="Audit events"
          columns={["When", "Who", "From", "Action", "Target", "Outcome"]}
          rows={events.map((e) => ({
            key: String(e.id),
            cells: [
              formatDateTime(e.at),
              e.actorLabel ?? e.actorType,
              e.ip ?? "—",
              <code key="a" className="font-mono text-xs">
                {e.action}
              </code>,
              e.targetType ? `${e.targetType} ${e.targetId ?? ""}` : "—",
              <OutcomeBadge key="o" value={e.outcome} />,
            ],
          }))}
        />
      )}
    </>
  );
}
