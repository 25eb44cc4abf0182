import { Users } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { InviteForm } from "@/components/operators/invite-form";
import { AccountBadge } from "@/components/operators/labels";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import { findOperators } from "@/lib/server/operators/find-operators";
import { findUnits } from "@/lib/server/units/find-units";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("operators"))("title") };
}

export default async function OperatorsPage() {
  const viewer = await requirePermission("operators.manage", "/operators");
  const [operators, units] = await Promise.all([findOperators(db()), findUnits(db(), viewer)]);
  const at = now();
  const t = await getTranslations("operators");
  const tr = await getTranslations("roles");
  const locale = await getLocale();
  const inAYear = new Date(at.getTime() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-5">
        {operators.length === 0 ? (
          <EmptyState icon={Users} title={t("emptyTitle")}>
            {t("emptyBody")}
          </EmptyState>
        ) : (
          <Table
            caption={t("caption")}
            columns={(["name", "email", "role", "units", "account", "keys", "lastSignIn"] as const).map((c) =>
              t(`col.${c}`),
            )}
            rows={operators.map((o) => ({
              key: o.id,
              cells: [
                <Link key="n" href={`/operators/${o.id}`} className="font-medium text-sky-800 underline">
                  {o.displayName}
                </Link>,
                o.email,
                tr(o.role),
                o.memberships.map((m) => m.unit.code).join(", ") || "—",
                <AccountBadge key="s" disabledAt={o.disabledAt} expiresAt={o.expiresAt} now={at} />,
                o._count.keys,
                formatDateTime(o.lastLoginAt, locale),
              ],
            }))}
          />
        )}
        <InviteForm units={units} defaultExpiry={inAYear} />
      </div>
    </>
  );
}
