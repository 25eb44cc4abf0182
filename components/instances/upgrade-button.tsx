"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { upgradeAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";

/** Upgrade to a newer version: what happens is said before the key touch. */
export function UpgradeButton({
  instanceId,
  instanceName,
  from,
  to,
  backupEstimate,
  releaseNotes,
}: {
  instanceId: string;
  instanceName: string;
  from: string;
  to: string;
  /** "about 1.2 GiB (last backup)" or null when there is no backup yet. */
  backupEstimate: string | null;
  releaseNotes: string;
}) {
  const router = useRouter();
  const t = useTranslations("upgrade");
  return (
    <KeyConfirmButton
      label={t("label", { to })}
      title={t("title", { name: instanceName, from, to })}
      action="instance.upgrade"
      params={{ instanceId, version: to }}
      variant="primary"
      confirmLabel={t("confirm")}
      run={(stepUp) => upgradeAction({ instanceId, version: to }, stepUp)}
      onDone={(data) => router.push(`/operations/${data.operationId}`)}
    >
      <div className="space-y-2 text-sm text-slate-800">
        <ol className="list-decimal space-y-1 pl-5">
          <li>{t("step1")}</li>
          <li>{backupEstimate ? t("step2Estimate", { estimate: backupEstimate }) : t("step2")}</li>
          <li>{t("step3", { to })}</li>
          <li>{t("step4", { to })}</li>
        </ol>
        <p className="font-medium">{t("rollback", { from })}</p>
        <p>
          <a href={releaseNotes} className="text-sky-800 underline" target="_blank" rel="noreferrer">
            {t("notes", { to })}
          </a>
        </p>
      </div>
    </KeyConfirmButton>
  );
}
