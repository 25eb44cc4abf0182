"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { upgradeAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Field, Input, Select } from "@/components/ui";
import { UpgradePlanPreview } from "./upgrade-plan-preview";

/** One target the registry offers, as the server previewed it. */
export interface UpgradeChoice {
  to: string;
  crossed: { version: string; notes: string }[];
  schema: { from: number | null; to: number | null };
  /** The container layout the target moves to (6.0), when it differs from the running one's. */
  layout: { containerPort: number; uploads: string; runsAs: "root" | "user"; removedEnv: readonly string[] } | null;
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
  const [runAs, setRunAs] = useState("101:101");
  const choice = choices.find((c) => c.to === to) ?? choices[0]!;
  const asUser = choice.layout?.runsAs === "user";
  const params = asUser ? { instanceId, version: choice.to, runAs } : { instanceId, version: choice.to };
  return (
    <KeyConfirmButton
      label={t("label", { to: initial })}
      title={t("title", { name: instanceName, from, to: choice.to })}
      action="instance.upgrade"
      params={params}
      variant="primary"
      confirmLabel={t("confirm")}
      run={(stepUp) => upgradeAction(params, stepUp)}
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
                  {c.layout ? t("optionLayout", { version: c.to }) : c.to}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <ol className="list-decimal space-y-1 pl-5">
          <li>{t("step1")}</li>
          <li>{backupEstimate ? t("step2Estimate", { estimate: backupEstimate }) : t("step2")}</li>
          <li>{t("step3", { to: choice.to })}</li>
          <li>{t("step4", { to: choice.to })}</li>
        </ol>
        {choice.layout && (
          <Alert tone="warning">
            <div>
              <div className="space-y-1">
                <p className="font-medium">{t("layoutTitle", { to: choice.to })}</p>
                <ul className="list-disc space-y-0.5 pl-5">
                  <li>{t("layoutPort", { port: choice.layout.containerPort })}</li>
                  <li>{t("layoutData", { uploads: choice.layout.uploads })}</li>
                  {asUser && <li>{t("layoutUser")}</li>}
                  {choice.layout.removedEnv.length > 0 && (
                    <li>{t("layoutEnv", { names: choice.layout.removedEnv.join(", ") })}</li>
                  )}
                  <li>{t("layoutCompose")}</li>
                </ul>
                <p>{t("layoutRollback")}</p>
              </div>
            </div>
          </Alert>
        )}
        {asUser && (
          <Field id="upgrade-run-as" label={t("runAs")} help={t("runAsHelp")}>
            <Input
              id="upgrade-run-as"
              aria-describedby="upgrade-run-as-help"
              value={runAs}
              onChange={(e) => setRunAs(e.target.value)}
              inputMode="numeric"
              autoComplete="off"
              className="w-40 font-mono"
            />
          </Field>
        )}
        <UpgradePlanPreview instanceId={instanceId} version={choice.to} runAs={asUser ? runAs : undefined} />
        <p className="font-medium">{t("rollback", { from })}</p>
        {choice.schema.from !== null && choice.schema.to !== null && choice.schema.from !== choice.schema.to && (
          <p>{t("schema", { from: choice.schema.from, to: choice.schema.to })}</p>
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
