import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AddInstanceForm } from "@/components/instances/add-instance-form";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { Server } from "lucide-react";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { findHosts } from "@/lib/server/hosts/find-hosts";
import { findUnits } from "@/lib/server/units/find-units";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("newInstance"))("title") };
}

export default async function NewInstancePage() {
  const viewer = await requirePermission("instances.manage", "/instances/new");
  const [units, hosts] = await Promise.all([findUnits(db(), viewer), findHosts(db())]);
  const t = await getTranslations("newInstance");
  const td = await getTranslations("deployPage");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {hosts.length === 0 ? (
        <EmptyState
          icon={Server}
          title={td("noHostTitle")}
          action={<ButtonLink href="/hosts/new">{td("addHost")}</ButtonLink>}
        >
          {t("noHostBody")}
        </EmptyState>
      ) : (
        <AddInstanceForm
          units={units.map((u) => ({ id: u.id, label: `${u.code} · ${u.name}` }))}
          hosts={hosts.map((h) => ({ id: h.id, label: h.name }))}
        />
      )}
    </>
  );
}
