import { Archive, Server } from "lucide-react";
import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { KitImportForm, RecoverForm } from "@/components/instances/recover-form";
import { ButtonLink, EmptyState, PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/server/db/web";
import { findHosts } from "@/lib/server/hosts/find-hosts";
import { findRepositories } from "@/lib/server/repositories/repositories";
import { findUnits } from "@/lib/server/units/find-units";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("recover"))("title") };
}

/**
 * Recover an instance from a restore point, on another host or in a freshly installed panel (its
 * repository added from a recovery kit).
 */
export default async function RecoverPage() {
  const viewer = await requirePermission("instances.deploy", "/instances/recover");
  const [repositories, hosts, units] = await Promise.all([
    findRepositories(db()),
    findHosts(db()),
    findUnits(db(), viewer),
  ]);
  const t = await getTranslations("recover");
  const admin = can(viewer.role, "repositories.manage");
  const hostOptions = hosts.map((h) => ({ id: h.id, name: h.name }));
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {hosts.length === 0 ? (
        <EmptyState
          icon={Server}
          title={t("noHostTitle")}
          action={<ButtonLink href="/hosts/new">{t("addHost")}</ButtonLink>}
        >
          {t("noHostBody")}
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {repositories.length === 0 ? (
            <EmptyState icon={Archive} title={t("noRepositoryTitle")}>
              {admin ? t("noRepositoryBody") : t("noRepositoryAskAdmin")}
            </EmptyState>
          ) : (
            <RecoverForm
              repositories={repositories.map((r) => ({ id: r.id, name: r.name }))}
              hosts={hostOptions}
              units={units.map((u) => ({ id: u.id, code: u.code, name: u.name }))}
            />
          )}
          {admin && <KitImportForm hosts={hostOptions} />}
        </div>
      )}
    </>
  );
}
