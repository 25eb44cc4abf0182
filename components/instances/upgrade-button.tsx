"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Ban } from "lucide-react";
import { upgradeAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Field, Select } from "@/components/ui";

/** One target the registry offers, as the server previewed it (its refusal already in the reader's language). */
export interface UpgradeChoice {
  to: string;
  crossed: { version: string; notes: string }[];
  schema: { from: number | null; to: number | null };
  blocked: string | null;
}

/** Upgrade to a newer version, chosen among those the registry offers: what happens is said before the key touch. */
export function UpgradeButton({
  instanceId,
  instanceName,
  from,
  choices,
  initial,
  backupEstimate,
}: {
  instanceId: string;
  instanceName: string;
  from: string;
  /** Newest first. */
  choices: UpgradeChoice[];
  /** The version preselected (the newest patch of this line, else the newest the panel can move to). */
  initial: string;
  /** "about 1.2 GiB (last backup)" or null when there is no backup yet. */
  backupEstimate: string | null;
}) {
  const router = useRouter();
  const t = useTranslations("upgrade");
  const [to, setTo] = useState(initial);
  const choice = choices.find((c) => c.to === to) ?? choices[0]!;
  return (
    <KeyConfirmButton
      label={t("label", { to: initial })}
      title={t("title", { name: instanceName, from, to: choice.to })}
      action="instance.upgrade"
      params={{ instanceId, version: choice.to }}
      variant="primary"
      confirmLabel={t("confirm")}
      confirmDisabled={choice.blocked !== null}
      run={(stepUp) => upgradeAction({ instanceId, version: choice.to }, stepUp)}
      onDone={(data) => router.push(`/operations/${data.operationId}`)}
    >
      <div className="space-y-3 text-sm text-slate-800">
        {choices.length > 1 && (
          <Field id="upgrade-version" label={t("version")} help={t("versionHint", { count: choices.length })}>
            <Select
              id="upgrade-version"
              aria-describedby="upgrade-version-help"
              value={choice.to}
              onChange={(e) => setTo(e.target.value)}
            >
              {choices.map((c) => (
                <option key={c.to} value={c.to}>
                  {c.blocked ? t("optionBlocked", { version: c.to }) : c.to}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {choice.blocked ? (
          <Alert tone="error">
            <span className="inline-flex items-start gap-1.5">
              <Ban aria-hidden className="mt-0.5 size-4 shrink-0" />
              <span>
                {choice.blocked} {t("blockedHint")}
              </span>
            </span>
          </Alert>
        ) : (
          <>
            <ol className="list-decimal space-y-1 pl-5">
              <li>{t("step1")}</li>
              <li>{backupEstimate ? t("step2Estimate", { estimate: backupEstimate }) : t("step2")}</li>
              <li>{t("step3", { to: choice.to })}</li>
              <li>{t("step4", { to: choice.to })}</li>
            </ol>
            <p className="font-medium">{t("rollback", { from })}</p>
            {choice.schema.from !== null && choice.schema.to !== null && choice.schema.from !== choice.schema.to && (
              <p>{t("schema", { from: choice.schema.from, to: choice.schema.to })}</p>
            )}
          </>
        )}
        <div>
          <p className="font-medium">{t("crossed", { count: choice.crossed.length })}</p>
          <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1">
            {choice.crossed.map((c) => (
              <li key={c.version}>
                <a href={c.notes} className="text-sky-800 underline" target="_blank" rel="noreferrer">
                  {t("notes", { to: c.version })}
                </a>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </KeyConfirmButton>
  );
}
