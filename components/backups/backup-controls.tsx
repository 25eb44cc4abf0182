"use client";

import { Archive, ShieldCheck } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { backupNowAction, restoreBackupAction, verifyBackupAction } from "@/app/(dashboard)/backups/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Button } from "@/components/ui";
import type { ActionResult } from "@/lib/server/action-result";

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run() {
    setBusy(true);
    setError(null);
    const result = await start();
    if (!result.ok) {
      setBusy(false);
      return setError(result.message);
    }
    router.push(`/operations/${result.data.operationId}`);
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
  return (
    <OperationButton
      label="Back up now"
      busyLabel="Starting the backup…"
      icon={Archive}
      variant="primary"
      start={() => backupNowAction(instanceId)}
    />
  );
}

export function VerifyButton({ backupId }: { backupId: string }) {
  return (
    <OperationButton
      label="Verify"
      busyLabel="Starting…"
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
  return (
    <KeyConfirmButton
      label="Restore…"
      title={`Restore ${instanceName} from this backup?`}
      action="backup.restore"
      params={{ backupId }}
      variant="danger"
      confirmLabel="Restore, confirm with my key"
      run={(stepUp) => restoreBackupAction({ backupId }, stepUp)}
      onDone={(data) => router.push(`/operations/${data.operationId}`)}
    >
      <div className="space-y-2 text-sm text-slate-800">
        <p className="font-medium">{summary}</p>
        <p>
          The panel first takes a safety backup of the current state, then stops eLabFTW, recreates its database from
          this backup, puts its uploads back, starts it, updates the schema if this backup is older than the image, and
          checks that it answers. If any step fails, the safety backup is put back.
        </p>
        <p className="font-medium">
          Everything entered in {instanceName} since this backup is replaced (it stays in the safety backup).
        </p>
      </div>
    </KeyConfirmButton>
  );
}
