"use client";

import { Archive, ShieldCheck } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { backupNowAction, verifyBackupAction } from "@/app/(dashboard)/backups/actions";
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
