import { ShieldOff } from "lucide-react";
import { useTranslations } from "next-intl";
import { ButtonLink, EmptyState } from "@/components/ui";

/** Shown with HTTP 403 when a signed-in person's role does not allow a page. The refusal is audited. */
export default function Forbidden() {
  const t = useTranslations("errors");
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <EmptyState icon={ShieldOff} title={t("forbiddenTitle")} action={<ButtonLink href="/">{t("back")}</ButtonLink>}>
        {t("forbiddenBody")}
      </EmptyState>
    </main>
  );
}
