import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { notFound } from "next/navigation";
import { AccountBadge, KeyBadge, KeyModel } from "@/components/operators/labels";
import {
  DisableButton,
  EndSessionsButton,
  OperatorForm,
  RevokeOperatorKeyButton,
} from "@/components/operators/operator-controls";
import { Alert, Card, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import { findOperator } from "@/lib/server/operators/find-operators";
import { findUnits } from "@/lib/server/units/find-units";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("operator"))("metaTitle") };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export default async function OperatorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("operators.manage", `/operators/${id}`);
  if (!UUID.test(id)) notFound();
  const at = now();
  const [operator, units] = await Promise.all([findOperator(db(), id, at), findUnits(db(), viewer)]);
  if (!operator) notFound();
  const activeKeys = operator.keys.filter((k) => !k.revokedAt && !k.suspendedAt).length;
  const t = await getTranslations("operator");
  const tr = await getTranslations("roles");
  const locale = await getLocale();
  return (
    <>
      <PageHeader
        title={operator.displayName}
        description={t("summary", {
          email: operator.email,
          role: tr(operator.role),
          at: formatDateTime(operator.lastLoginAt, locale),
        })}
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
              {t("pendingLink", { at: formatDateTime(operator.invites[0]!.expiresAt, locale) })}
            </span>
          )}
        </div>
        {activeKeys === 0 && !operator.disabledAt && (
          <Alert tone="warning" title={t("noKeyTitle")}>
            {t("noKeyBody")}
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
        <Card title={t("keys")}>
          {operator.keys.length === 0 ? (
            <p className="text-sm text-slate-600">{t("noKeys")}</p>
          ) : (
            <Table
              caption={t("keys")}
              columns={(["name", "model", "registered", "lastUsed", "state", "actions"] as const).map((c) =>
                t(`col.${c}`),
              )}
              rows={operator.keys.map((k) => ({
                key: k.id,
                cells: [
                  k.name,
                  <span key="m" className="font-mono text-xs">
                    <KeyModel modelName={k.modelName} aaguid={k.aaguid} />
                  </span>,
                  formatDateTime(k.createdAt, locale),
                  formatDateTime(k.lastUsedAt, locale),
                  <KeyBadge key="s" {...k} />,
                  k.revokedAt ? null : (
                    <RevokeOperatorKeyButton key="r" operatorId={operator.id} keyId={k.id} name={k.name} />
                  ),
                ],
              }))}
            />
          )}
        </Card>
        <Card title={t("sessions")}>
          {operator.sessions.length === 0 ? (
            <p className="text-sm text-slate-600">{t("noSessions")}</p>
          ) : (
            <Table
              caption={t("sessions")}
              columns={(["signedIn", "lastSeen", "address", "browser"] as const).map((c) => t(`col.${c}`))}
              rows={operator.sessions.map((s) => ({
                key: s.id,
                cells: [
                  formatDateTime(s.createdAt, locale),
                  formatDateTime(s.lastSeenAt, locale),
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
