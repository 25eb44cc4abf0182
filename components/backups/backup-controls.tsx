"use client";

import { Archive, ShieldCheck } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { backupNowAction, restoreBackupAction, verifyBackupAction } from "@/app/(dashboard)/backups/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Button } from "@/components/ui";
import type { ActionResult } from "@/lib/server/action-result";
import { useAction } from "@/components/use-action";

/** Start an operation and follow it on its live page. */
function OperationButton({
  label,
  busyLabel,
  icon: Icon,
  start,
  variant = "secondary",
}: {
  label: string;
  busyLabel: string;
  icon: typeof Archive;
  start: () => Promise<ActionResult<{ operationId: string }>>;
  variant?: "primary" | "secondary";
}) {
  const router = useRouter();
  const { run: attempt, pending: busy, error } = useAction();
  async function run() {
    // Pending until the operation's page opens.
    await attempt(start, { onDone: (data) => router.push(`/operations/${data.operationId}`), keepPending: true });
  }
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button variant={variant} onClick={run} disabled={busy}>
        <Icon aria-hidden className="size-4" />
        {busy ? busyLabel : label}
      </Button>
      {error && <Alert tone="error">{error}</Alert>}
    </span>
  );
}

export function BackupNowButton({ instanceId }: { instanceId: string }) {
  const t = useTranslations("backupControls");
  return (
    <OperationButton
      label={t("now")}
      busyLabel={t("starting")}
      icon={Archive}
      variant="primary"
      start={() => backupNowAction(instanceId)}
    />
  );
}

export function VerifyButton({ backupId }: { backupId: string }) {
  const t = useTranslations("backupControls");
  return (
    <OperationButton
      label={t("verify")}
      busyLabel={t("verifyStarting")}
      icon={ShieldCheck}
      start={() => verifyBackupAction(backupId)}
    />
  );
}

/** Restore one backup over its instance: a dialog says what happens, a key touch confirms this very backup. */
export function RestoreButton({
  backupId,
  instanceName,
  summary,
}: {
  backupId: string;
  instanceName: string;
  /** "1 Dec 2026, 21:08 · eLabFTW 5.1.0 · schema 165 · 2.3 KiB + 306 B (3 files)" */
  summary: string;
}) {
  const router = useRouter();
  const t = useTranslations("backupControls");
  return (
    <KeyConfirmButton
      label={t("restore")}
      title={t("restoreTitle", { name: instanceName })}
      action="backup.restore"
      params={{ backupId }}
      variant="danger"
      confirmLabel={t("restoreConfirm")}
      run={(stepUp) => restoreBackupAction({ backupId }, stepUp)}
      onDone={(data) => router.push(`/operations/${data.operationId}`)}
    >
      <div className="space-y-2 text-sm text-slate-800">
        <p className="font-medium">{summary}</p>
        <p>{t("restoreBody")}</p>
        <p className="font-medium">{t("restoreWarning", { name: instanceName })}</p>
      </div>
    </KeyConfirmButton>
  );
}
