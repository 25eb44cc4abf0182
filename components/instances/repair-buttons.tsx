"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { removeInstanceAction, rereadCredentialsAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert } from "@/components/ui";

/** After an out-of-band re-install: the panel reads the credentials and container identity again. */
export function RereadCredentialsButton({ instanceId, name }: { instanceId: string; name: string }) {
  const t = useTranslations("repair");
  const params = { instanceId };
  const [done, setDone] = useState<{ changed: string[]; containerChanged: boolean } | null>(null);
  return (
    <div className="space-y-2">
      <KeyConfirmButton
        label={t("reread")}
        title={t("rereadTitle", { name })}
        action="instance.reread_credentials"
        params={params}
        run={(stepUp) => rereadCredentialsAction(params, stepUp)}
        onDone={setDone}
      >
        {t("rereadBody")}
      </KeyConfirmButton>
      {done && (
        <Alert tone="success">
          {done.changed.length || done.containerChanged
            ? t("rereadChanged", {
                what: [
                  ...done.changed.map((c) => t(`secret.${c}`)),
                  ...(done.containerChanged ? [t("secret.container")] : []),
                ].join(", "),
              })
            : t("rereadSame")}
        </Alert>
      )}
    </div>
  );
}

/** Out of the inventory: containers keep running, restore points' files stay on disk. */
export function RemoveInstanceButton({ instanceId, name, busy }: { instanceId: string; name: string; busy: boolean }) {
  const t = useTranslations("repair");
  const router = useRouter();
  const params = { instanceId };
  return (
    <KeyConfirmButton
      label={t("remove")}
      variant="danger"
      title={t("removeTitle", { name })}
      action="instance.delete"
      params={params}
      run={(stepUp) => removeInstanceAction(params, stepUp)}
      onDone={() => router.push("/instances")}
      disabled={busy}
    >
      {t("removeBody")}
    </KeyConfirmButton>
  );
}
