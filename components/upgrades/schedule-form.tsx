"use client";

import { useMemo, useState } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { scheduleUpgradesAction } from "@/app/(dashboard)/upgrades/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Field, Input, Select } from "@/components/ui";

export interface SchedulableInstance {
  id: string;
  name: string;
  unit: string;
  version: string | null;
}

/** A semver-like comparison of two x.y.z versions (the server checks again, with semver). */
const newer = (a: string, b: string | null) => {
  if (!b) return false;
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0);
  return false;
};

/** Plan upgrades for a time: a version, the instances (in the order listed), a day and hour in the browser's zone. */
export function ScheduleForm({
  versions,
  layoutVersions,
  instances,
  defaultAt,
}: {
  /** Newest first. */
  versions: string[];
  /** The versions that move the container to another layout (6.0): they ask for a uid:gid. */
  layoutVersions: string[];
  instances: SchedulableInstance[];
  /** "YYYY-MM-DDTHH:mm", tonight at 22:00 in the server's view; the browser's own zone applies. */
  defaultAt: string;
}) {
  const t = useTranslations("upgrades");
  const router = useRouter();
  const [version, setVersion] = useState(versions[0] ?? "");
  const [at, setAt] = useState(defaultAt);
  const [runAs, setRunAs] = useState("101:101");
  const [chosen, setChosen] = useState<string[]>([]);
  const eligible = useMemo(() => instances.filter((i) => newer(version, i.version)), [instances, version]);
  const picked = chosen.filter((id) => eligible.some((i) => i.id === id));
  const layout = layoutVersions.includes(version);
  const runAt = at ? new Date(at).toISOString() : "";
  const params = {
    runAt,
    version,
    instanceIds: picked,
    ...(layout ? { runAs } : {}),
  };
  const names = picked.map((id) => instances.find((i) => i.id === id)!.name);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-4">
        <Field id="schedule-version" label={t("version")}>
          <Select id="schedule-version" value={version} onChange={(e) => setVersion(e.target.value)}>
            {versions.map((v) => (
              <option key={v} value={v}>
                {layoutVersions.includes(v) ? t("optionLayout", { version: v }) : v}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="schedule-at" label={t("at")} help={t("atHelp")}>
          <Input
            id="schedule-at"
            type="datetime-local"
            aria-describedby="schedule-at-help"
            value={at}
            onChange={(e) => setAt(e.target.value)}
          />
        </Field>
        {layout && (
          <Field id="schedule-run-as" label={t("runAs")} help={t("runAsHelp")}>
            <Input
              id="schedule-run-as"
              aria-describedby="schedule-run-as-help"
              className="w-40 font-mono"
              value={runAs}
              onChange={(e) => setRunAs(e.target.value)}
            />
          </Field>
        )}
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">{t("instances", { version })}</legend>
        {eligible.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">{t("noneEligible", { version })}</p>
        ) : (
          <ul className="mt-1 grid gap-1 sm:grid-cols-2 lg:grid-cols-3">
            {eligible.map((i) => (
              <li key={i.id}>
                <label className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    checked={chosen.includes(i.id)}
                    onChange={(e) => setChosen((c) => (e.target.checked ? [...c, i.id] : c.filter((x) => x !== i.id)))}
                  />
                  <span className="font-medium">{i.name}</span>
                  <span className="text-slate-600">
                    {i.unit} · {i.version}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <KeyConfirmButton
        label={t("schedule")}
        title={t("confirmTitle", { count: picked.length, version })}
        action="upgrade.schedule"
        params={params}
        variant="primary"
        disabled={picked.length === 0 || !runAt}
        confirmLabel={t("confirm")}
        run={(stepUp) => scheduleUpgradesAction(params, stepUp)}
        onDone={() => {
          setChosen([]);
          router.refresh();
        }}
      >
        <div className="space-y-2 text-sm text-slate-800">
          <p>{t("confirmWhen", { at: at ? new Date(at).toLocaleString() : "" })}</p>
          <ol className="list-decimal pl-5">
            {names.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ol>
          <p>{t("confirmOrder")}</p>
          {layout && <Alert tone="warning">{t("confirmLayout", { runAs })}</Alert>}
        </div>
      </KeyConfirmButton>
    </div>
  );
}
