import { Activity } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/authorize";
import { seesWholeFleet } from "@/lib/auth/permissions";
import { OperationStateBadge } from "@/components/status/badges";
import { EmptyState, FilterBar, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import {
  findRecentOperations,
  OPERATION_KINDS,
  OPERATION_STATES,
  operationFilterSchema,
} from "@/lib/server/operations/find-operations";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("operations"))("title") };
}

export default async function OperationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("operations.read", "/operations");
  const filter = operationFilterSchema.parse(await searchParams);
  const t = await getTranslations("operations");
  const ts = await getTranslations("status.operation");
  const locale = await getLocale();
  const kindLabel = (kind: string) =>
    (OPERATION_KINDS as readonly string[]).includes(kind) ? t(`kind.${kind}`) : kind;
  const filtered = Boolean(filter.kind || filter.state || filter.instance);
  const operations = await findRecentOperations(db(), viewer, filter);
  return (
    <>
      <PageHeader
        title={t("title")}
        description={seesWholeFleet(viewer.role) ? t("descriptionStaff") : t("descriptionUnit")}
      />
      {(operations.length > 0 || filtered) && (
        <FilterBar
          action="/operations"
          current={filter}
          selects={[
            { name: "kind", label: t("filter.kind"), options: OPERATION_KINDS.map((k) => [k, kindLabel(k)]) },
            { name: "state", label: t("filter.state"), options: OPERATION_STATES.map((k) => [k, ts(k)]) },
          ]}
          texts={[{ name: "instance", label: t("filter.instance"), placeholder: t("filter.instanceHint") }]}
        />
      )}
      {operations.length === 0 && filtered ? (
        <p className="text-sm text-slate-600">{t("noMatch")}</p>
      ) : operations.length === 0 ? (
        <EmptyState icon={Activity} title={t("emptyTitle")}>
          {t("emptyBody")}
        </EmptyState>
      ) : (
        <Table
          caption={t("caption")}
          columns={(["started", "kind", "instance", "state", "step", "by", "finished"] as const).map((c) =>
            t(`col.${c}`),
          )}
          rows={operations.map((o) => ({
            key: o.id,
            cells: [
              <Link key="d" href={`/operations/${o.id}`} className="text-sky-800 underline">
                {formatDateTime(o.createdAt, locale)}
              </Link>,
              kindLabel(o.kind),
              o.instance?.name ?? "—",
              <OperationStateBadge key="s" value={o.state} />,
              o.currentStep ?? "—",
              o.requestedBy?.email ?? t("system"),
              formatDateTime(o.finishedAt, locale),
            ],
          }))}
        />
      )}
    </>
  );
}
