import { Plus, Server } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { ReachabilityBadge } from "@/components/status/badges";
import { ButtonLink, EmptyState, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatAge, formatBytes } from "@/lib/format";
import { findHosts } from "@/lib/server/hosts/find-hosts";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("hosts"))("title") };
}

export default async function HostsPage() {
  const viewer = await requirePermission("hosts.read", "/hosts");
  const hosts = await findHosts(db());
  const at = now();
  const t = await getTranslations("hosts");
  const locale = await getLocale();
  const add = can(viewer.role, "hosts.manage") ? (
    <ButtonLink href="/hosts/new" variant="primary">
      <Plus aria-hidden className="size-4" />
      {t("add")}
    </ButtonLink>
  ) : undefined;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} actions={add} />
      {hosts.length === 0 ? (
        <EmptyState icon={Server} title={t("emptyTitle")} action={add}>
          {t("emptyBody")}
        </EmptyState>
      ) : (
        <Table
          caption={t("caption")}
          columns={(["name", "connection", "address", "status", "engine", "free", "reading", "instances"] as const).map(
            (c) => t(`col.${c}`),
          )}
          rows={hosts.map((h) => ({
            key: h.id,
            cells: [
              <Link key="n" href={`/hosts/${h.id}`} className="font-medium text-sky-800 underline">
                {h.name}
              </Link>,
              t(`kind.${h.kind}`),
              <code key="a" className="font-mono text-xs">
                {h.port ? `${h.address}:${h.port}` : h.address}
              </code>,
              <span key="r" title={h.lastSnapshotError ?? undefined}>
                <ReachabilityBadge value={h.reachability} />
              </span>,
              h.engineVersion ?? "—",
              formatBytes(h.freeBytes, locale),
              h.lastSnapshotAt ? formatAge(h.lastSnapshotAt, at, locale) : t("never"),
              h._count.webInstances,
            ],
          }))}
        />
      )}
    </>
  );
}
