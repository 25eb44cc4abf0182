"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { deleteHostAction, forgetFingerprintAction, testHostAction } from "@/app/(dashboard)/hosts/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Button } from "@/components/ui";
import { useAction } from "@/components/use-action";

export function TestConnectionButton({ hostId }: { hostId: string }) {
  const router = useRouter();
  const t = useTranslations("hostActions");
  const { run, pending: busy, error } = useAction();
  const [found, setFound] = useState<{ ok: boolean; message: string } | null>(null);
  const report = error ? { ok: false, message: error } : found;
  async function onClick() {
    setFound(null);
    await run(() => testHostAction(hostId), { onDone: setFound });
    router.refresh();
  }
  return (
    <div className="flex flex-col items-end gap-2">
      <Button onClick={onClick} disabled={busy}>
        <RefreshCw aria-hidden className={busy ? "size-4 animate-spin" : "size-4"} />
        {busy ? t("testing") : t("test")}
      </Button>
      {report && (
        <Alert tone={report.ok ? "info" : "error"} className="max-w-xl">
          {report.ok ? t("connected", { message: report.message }) : report.message}
        </Alert>
      )}
    </div>
  );
}

export function DeleteHostButton({ hostId, name, instances }: { hostId: string; name: string; instances: number }) {
  const router = useRouter();
  const t = useTranslations("hostActions");
  const params = { hostId };
  return (
    <KeyConfirmButton
      label={t("remove")}
      variant="danger"
      title={t("removeTitle", { name })}
      action="host.delete"
      params={params}
      run={(stepUp) => deleteHostAction(params, stepUp)}
      onDone={() => router.push("/hosts")}
      disabled={instances > 0}
    >
      {t("removeBody")}
    </KeyConfirmButton>
  );
}

export function ForgetFingerprintButton({ hostId, fingerprint }: { hostId: string; fingerprint: string }) {
  const t = useTranslations("hostActions");
  const params = { hostId };
  return (
    <KeyConfirmButton
      label={t("forget")}
      title={t("forgetTitle")}
      action="host.forget_fingerprint"
      params={params}
      run={(stepUp) => forgetFingerprintAction(params, stepUp)}
    >
      {t.rich("forgetBody", { code: (chunks) => <code>{chunks}</code> })}{" "}
      <code className="break-all">{fingerprint}</code>
    </KeyConfirmButton>
  );
}
