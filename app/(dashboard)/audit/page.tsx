import { Download, ScrollText } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { OutcomeBadge } from "@/components/status/badges";
import { ButtonLink, EmptyState, FilterBar, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import {
  AUDIT_OUTCOMES,
  auditNames,
  findAuditPage,
  parseAuditFilter,
  withoutCursor,
  type AuditFilter,
} from "@/lib/server/audit/find-audit-events";

export const metadata: Metadata = { title: "Audit log" };

const OUTCOME_LABEL: Record<(typeof AUDIT_OUTCOMES)[number], string> = {
  success: "Success",
  failure: "Failure",
  denied: "Denied",
};

function query(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...filter, ...extra })) if (v && k !== "before") params.set(k, v);
  if (extra.before) params.set("before", extra.before);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("audit.read", "/audit");
  const filter = parseAuditFilter(await searchParams);
  const criteria = withoutCursor(filter);
  const filtered = Object.values(criteria).some(Boolean);
  const { events, olderCursor } = await findAuditPage(db(), viewer, filter);
  const names = await auditNames(db(), events);
  const target = (e: (typeof events)[number]) => {
    if (e.targetType === "instance" && e.targetId) return `instance ${names.instance.get(e.targetId) ?? e.targetId}`;
    if (e.targetType) return `${e.targetType} ${e.targetId ?? ""}`.trim();
    if (e.instanceId) return `instance ${names.instance.get(e.instanceId) ?? e.instanceId}`;
    if (e.unitId) return `unit ${names.unit.get(e.unitId) ?? e.unitId}`;
    return "—";
  };
  return (
    <>
      <PageHeader
        title="Audit log"
        description={
          seesWholeFleet(viewer.role)
            ? "Who did what, when, from where, with which key, and how it ended. Append-only and hash-chained."
            : "What was done to your units' instances, by whom and when. Read-only."
        }
        actions={
          <div className="flex gap-2">
            <ButtonLink download href={`/api/audit/export${query(criteria, { format: "csv" })}`}>
              <Download aria-hidden className="size-4" /> Export CSV
            </ButtonLink>
            <ButtonLink download href={`/api/audit/export${query(criteria, { format: "json" })}`}>
              <Download aria-hidden className="size-4" /> Export JSON
            </ButtonLink>
          </div>
        }
      />
      <FilterBar
        action="/audit"
        current={criteria}
        selects={[{ name: "outcome", label: "Outcome", options: AUDIT_OUTCOMES.map((o) => [o, OUTCOME_LABEL[o]]) }]}
        texts={[
          { name: "operator", label: "Operator", placeholder: "e-mail" },
          { name: "action", label: "Action", placeholder: "e.g. backup." },
          { name: "instance", label: "Instance", placeholder: "name" },
          { name: "unit", label: "Unit", placeholder: "code" },
        ]}
        dates={[
          { name: "from", label: "From" },
          { name: "to", label: "To" },
        ]}
      />
      {events.length === 0 && (filtered || filter.before) ? (
        <p className="text-sm text-slate-600">No event matches these filters. Widen the dates or clear a filter.</p>
      ) : events.length === 0 ? (
        <EmptyState icon={ScrollText} title="No event recorded yet">
          Sign-ins, key changes and every operator action are recorded here, append-only, as they happen.
        </EmptyState>
      ) : (
        <>
          <Table
            caption="Audit events, newest first"
            columns={["When", "Who", "From", "Action", "Target", "Outcome", "Details"]}
            rows={events.map((e) => ({
              key: String(e.id),
              cells: [
                formatDateTime(e.at),
                <span key="w" title={e.securityKeyId ? `Key ${e.securityKeyId}` : undefined}>
                  {e.actorLabel ?? e.actorType}
                </span>,
                <span key="f" title={e.userAgent ?? undefined}>
                  {e.ip ?? "—"}
                </span>,
                <code key="a" className="font-mono text-xs">
                  {e.action}
                </code>,
                target(e),
                <OutcomeBadge key="o" value={e.outcome} />,
                <Details key="d" params={e.params} reason={e.reason} userAgent={e.userAgent} />,
              ],
            }))}
          />
          <nav aria-label="Audit log pages" className="mt-3 flex gap-4 text-sm">
            {filter.before && (
              <Link href={`/audit${query(criteria)}`} className="text-sky-800 underline">
                ← Newest events
              </Link>
            )}
            {olderCursor && (
              <Link href={`/audit${query(criteria, { before: olderCursor })}`} className="text-sky-800 underline">
                Older events →
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}

function Details({ params, reason, userAgent }: { params: unknown; reason: string | null; userAgent: string | null }) {
  const entries = params && typeof params === "object" ? Object.entries(params as Record<string, unknown>) : [];
  if (entries.length === 0 && !reason && !userAgent) return <span>—</span>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-sky-800">Show</summary>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="font-mono break-all">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
        {reason && (
          <div className="contents">
            <dt className="text-slate-500">reason</dt>
            <dd className="font-mono">{reason}</dd>
          </div>
        )}
        {userAgent && (
          <div className="contents">
            <dt className="text-slate-500">browser</dt>
            <dd className="break-all">{userAgent}</dd>
          </div>
        )}
      </dl>
    </details>
  );
}
