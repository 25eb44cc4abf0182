"use client";

import { AlertTriangle } from "lucide-react";
import { useTranslations } from "next-intl";
import { Button, EmptyState } from "@/components/ui";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("errors");
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <EmptyState icon={AlertTriangle} title={t("loadTitle")} action={<Button onClick={reset}>{t("retry")}</Button>}>
        {error.digest ? t("loadReference", { digest: error.digest }) : t("loadBody")}
      </EmptyState>
    </main>
  );
}
