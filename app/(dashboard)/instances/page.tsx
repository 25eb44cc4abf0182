import { Boxes } from "lucide-react";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import Link from "next/link";
import { FleetFilters, FleetTable } from "@/components/fleet/fleet-table";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can, seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { findFleet, fleetFilterOptions, parseFleetFilters } from "@/lib/server/fleet/find-fleet";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("nav"))("instances") };
}

const PAGE = 100;

export default async function InstancesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requirePermission("fleet.read", "/instances");
  const filters = parseFleetFilters(await searchParams);
  const t = await getTranslations("instances");
  const tp = await getTranslations("pager");
  const [rows, options] = await Promise.all([findFleet(db(), viewer, filters), fleetFilterOptions(db(), viewer)]);
  const filtered = !!(filters.unit || filters.host || filters.state);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const rawPage = Number((await searchParams).page ?? 1);
  const page = Number.isInteger(rawPage) && rawPage >= 1 && rawPage <= pages ? rawPage : 1;
  const shown = rows.slice((page - 1) * PAGE, page * PAGE);
  const pageLink = (n: number) => {
    const query = new URLSearchParams(
      Object.entries({ ...filters, page: String(n) }).filter(([, v]) => v) as [string, string][],
    );
    return `/instances?${query}`;
  };
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          can(viewer.role, "instances.deploy") ? (
            <div className="flex gap-2">
              <ButtonLink href="/instances/new">{t("addByHand")}</ButtonLink>
              <ButtonLink href="/instances/recover">{t("recover")}</ButtonLink>
              <ButtonLink href="/instances/deploy" variant="primary">
                {t("deploy")}
              </ButtonLink>
            </div>
          ) : undefined
        }
      />
      {rows.length === 0 && !filtered ? (
        <EmptyState
          icon={Boxes}
          title={t("emptyTitle")}
          action={
            can(viewer.role, "instances.manage") ? <ButtonLink href="/hosts">{t("goHosts")}</ButtonLink> : undefined
          }
        >
          {seesWholeFleet(viewer.role) ? t("emptyStaff") : t("emptyUnit")}
        </EmptyState>
      ) : (
        <>
          <FleetFilters action="/instances" options={options} current={filters} />
          {rows.length === 0 ? (
            <p className="text-sm text-slate-600">{t("noMatch")}</p>
          ) : (
            <>
              <FleetTable rows={shown} now={now()} showHost={seesWholeFleet(viewer.role)} />
              {pages > 1 && (
                <nav aria-label={tp("label")} className="mt-3 flex items-center gap-3 text-sm text-slate-700">
                  {page > 1 && (
                    <Link href={pageLink(page - 1)} className="text-sky-800 underline">
                      {tp("previous")}
                    </Link>
                  )}
                  <span>{tp("position", { page, pages, count: rows.length })}</span>
                  {page < pages && (
                    <Link href={pageLink(page + 1)} className="text-sky-800 underline">
                      {tp("next")}
                    </Link>
                  )}
                </nav>
              )}
            </>
          )}
        </>
      )}
    </>
  );
}
