"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { deleteHostAction, forgetFingerprintAction, testHostAction } from "@/app/(dashboard)/hosts/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Button } from "@/components/ui";

export function TestConnectionButton({ hostId }: { hostId: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<{ ok: boolean; message: string } | null>(null);
  async function onClick() {
    setBusy(true);
    setReport(null);
    const result = await testHostAction(hostId);
    setBusy(false);
    setReport(result.ok ? result.data : { ok: false, message: result.message });
    router.refresh();
  }
  return (
    <div className="flex flex-col items-end gap-2">
      <Button onClick={onClick} disabled={busy}>
        <RefreshCw aria-hidden className={busy ? "size-4 animate-spin" : "size-4"} />
        {busy ? "Testing…" : "Test connection"}
      </Button>
      {report && (
        <Alert tone={report.ok ? "info" : "error"} className="max-w-xl">
          {report.ok ? `Connected: ${report.message}` : report.message}
        </Alert>
      )}
    </div>
  );
}

export function DeleteHostButton({ hostId, name, instances }: { hostId: string; name: string; instances: number }) {
  const router = useRouter();
  const params = { hostId };
  return (
    <KeyConfirmButton
      label="Remove host"
      variant="danger"
      title={`Remove ${name} from the panel?`}
      action="host.delete"
      params={params}
      run={(stepUp) => deleteHostAction(params, stepUp)}
      onDone={() => router.push("/hosts")}
      disabled={instances > 0}
    >
      The panel forgets this host and its stored keys. Nothing changes on the host itself: its containers keep running.
    </KeyConfirmButton>
  );
}

export function ForgetFingerprintButton({ hostId, fingerprint }: { hostId: string; fingerprint: string }) {
  const params = { hostId };
  return (
    <KeyConfirmButton
      label="Forget pinned host key"
      title="Forget the pinned SSH host key?"
      action="host.forget_fingerprint"
      params={params}
      run={(stepUp) => forgetFingerprintAction(params, stepUp)}
    >
      Only after checking, on the host itself (<code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>), that its
      key really changed. The next connection pins whatever key it sees. Pinned now:{" "}
      <code className="break-all">{fingerprint}</code>
    </KeyConfirmButton>
  );
}
