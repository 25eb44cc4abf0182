import { PackageX, Server } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { DeployWizard } from "@/components/instances/deploy-wizard";
import { CheckUpdatesButton } from "@/components/instances/instance-controls";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import { findHosts } from "@/lib/server/hosts/find-hosts";
import { ELABFTW_REPOSITORY } from "@/lib/server/instances/deploy-plan";
import { readTagCache } from "@/lib/server/registry/tag-cache";
import { deployableVersions } from "@/lib/server/instances/deploy-plan";
import { findUnits } from "@/lib/server/units/find-units";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("deployPage"))("title") };
}

export default async function DeployPage() {
  const viewer = await requirePermission("instances.deploy", "/instances/deploy");
  const [units, hosts, cache] = await Promise.all([findUnits(db(), viewer), findHosts(db()), readTagCache(db())]);
  const tags = cache[ELABFTW_REPOSITORY];
  const versions = deployableVersions(tags?.tags ?? []).reverse();
  const t = await getTranslations("deployPage");
  const locale = await getLocale();
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={<CheckUpdatesButton label={t("checkAgain")} />}
      />
      {hosts.length === 0 ? (
        <EmptyState
          icon={Server}
          title={t("noHostTitle")}
          action={<ButtonLink href="/hosts/new">{t("addHost")}</ButtonLink>}
        >
          {t("noHostBody")}
        </EmptyState>
      ) : versions.length === 0 ? (
        <EmptyState icon={PackageX} title={t("noVersionTitle")}>
          {tags?.error
            ? t("registryError", { at: formatDateTime(new Date(tags.fetchedAt), locale), error: tags.error })
            : t("notRead")}{" "}
          {t("useCheck")}
        </EmptyState>
      ) : (
        <DeployWizard
          units={units.map((u) => ({ id: u.id, label: `${u.code} · ${u.name}` }))}
          hosts={hosts.map((h) => ({
            id: h.id,
            label: h.reachability === "unreachable" ? t("unreachable", { name: h.name }) : h.name,
          }))}
          versions={versions}
        />
      )}
    </>
  );
}
