import { ButtonLink, EmptyState } from "@/components/ui";
import { FileQuestion } from "lucide-react";
import { useTranslations } from "next-intl";

export default function NotFound() {
  const t = useTranslations("errors");
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <EmptyState icon={FileQuestion} title={t("notFoundTitle")} action={<ButtonLink href="/">{t("back")}</ButtonLink>}>
        {t("notFoundBody")}
      </EmptyState>
    </main>
  );
}
