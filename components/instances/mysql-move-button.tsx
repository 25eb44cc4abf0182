"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { databaseUpgradeAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert } from "@/components/ui";

/** Move the database container from MySQL 8.0 to 8.4: what happens, and what a failure puts back, said before the key touch. */
export function MysqlMoveButton({
  instanceId,
  instanceName,
  image,
  backupEstimate,
}: {
  instanceId: string;
  instanceName: string;
  /** The database container's image now (mysql:8.0…). */
  image: string;
  backupEstimate: string | null;
}) {
  const router = useRouter();
  const t = useTranslations("mysqlMove");
  const params = { instanceId };
  return (
    <KeyConfirmButton
      label={t("label")}
      title={t("title", { name: instanceName })}
      action="instance.database_upgrade"
      params={params}
      confirmLabel={t("confirm")}
      run={(stepUp) => databaseUpgradeAction(params, stepUp)}
      onDone={(data) => router.push(`/operations/${data.operationId}`)}
    >
      <div className="space-y-3 text-sm text-slate-800">
        <p>{t("why", { image })}</p>
        <ol className="list-decimal space-y-1 pl-5">
          <li>{t("step1")}</li>
          <li>{backupEstimate ? t("step2Estimate", { estimate: backupEstimate }) : t("step2")}</li>
          <li>{t("step3")}</li>
          <li>{t("step4")}</li>
          <li>{t("step5")}</li>
        </ol>
        <Alert tone="warning">{t("downtime")}</Alert>
        <p className="font-medium">{t("rollback")}</p>
      </div>
    </KeyConfirmButton>
  );
}
