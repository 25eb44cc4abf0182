import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { HostForm } from "@/components/hosts/host-form";
import { PageHeader } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("hostForm"))("newMeta") };
}

export default async function NewHostPage() {
  await requirePermission("hosts.manage", "/hosts/new");
  const t = await getTranslations("hostForm");
  return (
    <>
      <PageHeader title={t("newTitle")} description={t("newDescription")} />
      <HostForm />
    </>
  );
}
