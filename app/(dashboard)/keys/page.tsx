import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { AddKeyForm, RenameKey, RevokeMyKeyButton } from "@/components/auth/my-keys";
import { KeyBadge, KeyModel } from "@/components/operators/labels";
import { Card, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import { findOwnKeys } from "@/lib/server/operators/find-operators";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("keys"))("title") };
}

export default async function MyKeysPage() {
  const operator = await requirePermission("keys.own", "/keys");
  const keys = await findOwnKeys(db(), operator.id);
  const active = keys.filter((k) => !k.revokedAt && !k.suspendedAt).length;
  const t = await getTranslations("keys");
  const to = await getTranslations("operator");
  const locale = await getLocale();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-5">
        <Card title={t("cardTitle", { active })}>
          <Table
            caption={t("caption")}
            columns={(["name", "model", "registered", "lastUsed", "state", "actions"] as const).map((c) =>
              to(`col.${c}`),
            )}
            rows={keys.map((k) => ({
              key: k.id,
              cells: [
                k.revokedAt ? k.name : <RenameKey key="n" keyId={k.id} name={k.name} />,
                <span key="m" className="font-mono text-xs">
                  <KeyModel modelName={k.modelName} aaguid={k.aaguid} />
                </span>,
                formatDateTime(k.createdAt, locale),
                formatDateTime(k.lastUsedAt, locale),
                <span key="s" className="inline-flex flex-wrap items-center gap-1.5">
                  <KeyBadge {...k} />
                  {k.id === operator.securityKeyId && <span className="text-xs text-slate-500">{t("usedNow")}</span>}
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
