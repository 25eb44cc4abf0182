"use client";

import { useTranslations } from "next-intl";
import { cancelScheduleAction } from "@/app/(dashboard)/upgrades/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";

/** Cancel a scheduled upgrade before it starts (a key touch). */
export function CancelScheduleButton({ scheduleId, when }: { scheduleId: string; when: string }) {
  const t = useTranslations("upgrades");
  return (
    <KeyConfirmButton
      label={t("cancel")}
      title={t("cancelTitle", { when })}
      action="upgrade.schedule_cancel"
      params={{ scheduleId }}
      variant="danger"
      confirmLabel={t("cancelConfirm")}
      run={(stepUp) => cancelScheduleAction({ scheduleId }, stepUp)}
    >
      <p className="text-sm text-slate-800">{t("cancelBody")}</p>
    </KeyConfirmButton>
  );
}
