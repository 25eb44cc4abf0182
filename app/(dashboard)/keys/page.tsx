import type { Metadata } from "next";
import { AddKeyForm, RenameKey, RevokeMyKeyButton } from "@/components/auth/my-keys";
import { KeyBadge, keyModel } from "@/components/operators/labels";
import { Card, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findOwnKeys } from "@/lib/server/operators/find-operators";

export const metadata: Metadata = { title: "My keys" };

export default async function MyKeysPage() {
  const operator = await requirePermission("keys.own", "/keys");
  const keys = await findOwnKeys(db(), operator.id);
  const active = keys.filter((k) => !k.revokedAt && !k.suspendedAt).length;
  return (
    <>
      <PageHeader
        title="My keys"
        description="The security keys that let you in. Revoked keys stay listed: the audit log refers to them."
      />
      <div className="space-y-5">
        <Card title={`Security keys (${active} active)`}>
          <Table
            caption="My security keys"
            columns={["Name", "Model", "Registered", "Last used", "State", ""]}
            rows={keys.map((k) => ({
              key: k.id,
              cells: [
                k.revokedAt ? k.name : <RenameKey key="n" keyId={k.id} name={k.name} />,
                <span key="m" className="font-mono text-xs">
                  {keyModel(k)}
                </span>,
                formatDateTime(k.createdAt),
                formatDateTime(k.lastUsedAt),
                <span key="s" className="inline-flex flex-wrap items-center gap-1.5">
                  <KeyBadge {...k} />
                  {k.id === operator.securityKeyId && <span className="text-xs text-slate-500">used now</span>}
                </span>,
                k.revokedAt ? null : (
                  <RevokeMyKeyButton
                    key="r"
                    keyId={k.id}
                    name={k.name}
                    last={active <= 1 && !k.suspendedAt}
                    current={k.id === operator.securityKeyId}
                  />
                ),
              ],
            }))}
          />
        </Card>
        <AddKeyForm />
      </div>
    </>
  );
}
