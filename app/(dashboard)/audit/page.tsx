import { ScrollText } from "lucide-react";
import type { Metadata } from "next";
import { connection } from "next/server";
import { OutcomeBadge } from "@/components/status/badges";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findRecentAuditEvents } from "@/lib/server/audit/find-audit-events";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  await connection();
  const events = await findRecentAuditEvents(db());
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
