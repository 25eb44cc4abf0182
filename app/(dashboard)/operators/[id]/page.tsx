import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AccountBadge, KeyBadge, keyModel, ROLE_LABEL } from "@/components/operators/labels";
import {
  DisableButton,
  EndSessionsButton,
  OperatorForm,
  RevokeOperatorKeyButton,
} from "@/components/operators/operator-controls";
import { Alert, Card, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findOperator } from "@/lib/server/operators/find-operators";
import { findUnits } from "@/lib/server/units/find-units";

export const metadata: Metadata = { title: "Operator" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export default async function OperatorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("operators.manage", `/operators/${id}`);
  if (!UUID.test(id)) notFound();
  const at = now();
  const [operator, units] = await Promise.all([findOperator(db(), id, at), findUnits(db(), viewer)]);
  if (!operator) notFound();
  const activeKeys = operator.keys.filter((k) => !k.revokedAt && !k.suspendedAt).length;
  return (
    <>
      <PageHeader
        title={operator.displayName}
        description={
          <>
            {operator.email} · {ROLE_LABEL[operator.role]} · last sign-in {formatDateTime(operator.lastLoginAt)}
          </>
        }
        actions={
          <>
            <EndSessionsButton operatorId={operator.id} count={operator.sessions.length} />
            {operator.id !== viewer.id && (
              <DisableButton operatorId={operator.id} email={operator.email} disabled={!!operator.disabledAt} />
            )}
          </>
        }
      />
      <div className="space-y-5">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <AccountBadge disabledAt={operator.disabledAt} expiresAt={operator.expiresAt} now={at} />
          {operator.invites.length > 0 && (
            <span className="text-slate-600">
              An enrolment link is pending until {formatDateTime(operator.invites[0]!.expiresAt)}.
            </span>
          )}
        </div>
        {activeKeys === 0 && !operator.disabledAt && (
          <Alert tone="warning" title="No active key">
            This person cannot sign in. Invite them again from the Operators page to send a new enrolment link.
          </Alert>
        )}
        <OperatorForm
          operator={{
            id: operator.id,
            displayName: operator.displayName,
            role: operator.role,
            expiresAt: operator.expiresAt.toISOString().slice(0, 10),
            unitIds: operator.memberships.map((m) => m.unitId),
          }}
          units={units}
        />
        <Card title="Security keys">
          {operator.keys.length === 0 ? (
            <p className="text-sm text-slate-600">
              No key registered yet. The person registers one by opening their enrolment link; if it expired, invite
              them again from the Operators page.
            </p>
          ) : (
            <Table
              caption="Security keys"
              columns={["Name", "Model", "Registered", "Last used", "State", ""]}
              rows={operator.keys.map((k) => ({
                key: k.id,
                cells: [
                  k.name,
                  <span key="m" className="font-mono text-xs">
                    {keyModel(k)}
                  </span>,
                  formatDateTime(k.createdAt),
                  formatDateTime(k.lastUsedAt),
                  <KeyBadge key="s" {...k} />,
                  k.revokedAt ? null : (
                    <RevokeOperatorKeyButton key="r" operatorId={operator.id} keyId={k.id} name={k.name} />
                  ),
                ],
              }))}
            />
          )}
        </Card>
        <Card title="Open sessions">
          {operator.sessions.length === 0 ? (
            <p className="text-sm text-slate-600">No open session.</p>
          ) : (
            <Table
              caption="Open sessions"
              columns={["Signed in", "Last seen", "Address", "Browser"]}
              rows={operator.sessions.map((s) => ({
                key: s.id,
                cells: [
                  formatDateTime(s.createdAt),
                  formatDateTime(s.lastSeenAt),
                  s.ip ?? "—",
                  <span key="u" className="line-clamp-1 max-w-md text-xs text-slate-600">
                    {s.userAgent ?? "—"}
                  </span>,
                ],
              }))}
            />
          )}
        </Card>
      </div>
    </>
  );
}
