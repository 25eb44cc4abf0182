"use client";

import { Check, KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type ReactNode } from "react";
import { checkDeployAction, deployAction } from "@/app/(dashboard)/instances/actions";
import { withKeyTouch } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Facts, Field, Input, Select, cn } from "@/components/ui";
import type { DeployPlan } from "@/lib/server/instances/deploy-plan";
import { useAction } from "@/components/use-action";

type Option = { id: string; label: string };

const STEPS = ["where", "version", "database", "uploads", "review"] as const;

/** Which page holds the field a refusal names (the server's messages start with the field's label). */
const FIELD_PAGES: [RegExp, number][] = [
  [/^(Name|Unit|Web host|This unit|The web host|An instance named)\b/, 0],
  [/^(Version|Site URL|HTTPS|Published)\b/, 1],
  [/^(Database|The database host)\b/, 2],
  [/^Uploads\b/, 3],
];

/**
 * The deploy wizard: four short pages of answers, a review of the plan the
 * panel made from them (every container, volume and network it will create),
 * then one key touch for exactly that plan. The deployment runs in the
 * background; the browser goes to its live operation page.
 */
export function DeployWizard({
  units,
  hosts,
  versions,
}: {
  units: Option[];
  hosts: Option[];
  /** Stable versions the registry offers, newest first. */
  versions: string[];
}) {
  const router = useRouter();
  const t = useTranslations("wizard");
  const [step, setStep] = useState(0);
  const [values, setValues] = useState({
    name: "",
    unitId: units[0]?.id ?? "new",
    unitCode: "",
    unitName: "",
    webHostId: hosts[0]?.id ?? "",
    version: versions[0] ?? "",
    siteUrl: "",
    https: "container",
    publishAddress: "",
    publishPort: "443",
    databasePlacement: "container",
    databaseHostId: hosts[0]?.id ?? "",
    databaseBindAddress: "",
    databaseAddress: "",
    databasePort: "3306",
    databaseName: "elabftw",
    databaseUser: "elabftw",
    uploadsKind: "volume",
    uploadsSource: "",
  });
  const [databasePassword, setDatabasePassword] = useState("");
  const [plan, setPlan] = useState<DeployPlan | null>(null);
  // What the running request does ("Checking…", "Touch your key…", "Starting…"), while it runs.
  const [doing, setDoing] = useState("");
  const { run, pending, error } = useAction();
  const busy = pending ? doing : null;
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
    setPlan(null);
  };
  const external = values.databasePlacement === "external";
  const otherDbHost = !external && values.databaseHostId !== values.webHostId;

  /** The answers the server checks and the key touch is bound to (no secret among them). */
  function params(): Record<string, string> {
    return values.unitId === "new" ? values : { ...values, unitCode: "", unitName: "" };
  }

  async function review() {
    setDoing(t("checking"));
    const result = await run(() => checkDeployAction(params()), {
      onDone: (checked) => {
        setPlan(checked);
        setStep(4);
      },
    });
    // Back to the page of the field the panel refused.
    const page = result.ok ? null : FIELD_PAGES.find(([pattern]) => pattern.test(result.message));
    if (page) setStep(page[1]);
  }

  async function deploy() {
    setDoing(t("touch"));
    const p = params();
    await run(
      () =>
        withKeyTouch("instance.deploy", p, (stepUp) => deployAction(p, external ? { databasePassword } : {}, stepUp)),
      {
        onDone: (data) => {
          setDoing(t("starting"));
          router.push(`/operations/${data.operationId}`);
        },
        keepPending: true,
      },
    );
  }

  const pages: ReactNode[] = [
    <div key="where" className="grid gap-3 sm:grid-cols-3">
      <Field id="d-name" label={t("name")} help={t("nameHelp")}>
        <Input id="d-name" value={values.name} onChange={set("name")} placeholder="umr5107-elab" maxLength={50} />
      </Field>
      <Field id="d-unit" label={t("unit")}>
        <Select id="d-unit" value={values.unitId} onChange={set("unitId")}>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.label}
            </option>
          ))}
          <option value="new">{t("newUnit")}</option>
        </Select>
      </Field>
      <Field id="d-host" label={t("webHost")} help={t("webHostHelp")}>
        <Select id="d-host" value={values.webHostId} onChange={set("webHostId")}>
          {hosts.map((h) => (
            <option key={h.id} value={h.id}>
              {h.label}
            </option>
          ))}
        </Select>
      </Field>
      {values.unitId === "new" && (
        <>
          <Field id="d-unit-code" label={t("unitCode")}>
            <Input id="d-unit-code" value={values.unitCode} onChange={set("unitCode")} placeholder="UMR5107" />
          </Field>
          <Field id="d-unit-name" label={t("unitName")}>
            <Input id="d-unit-name" value={values.unitName} onChange={set("unitName")} />
          </Field>
        </>
      )}
    </div>,

    <div key="version" className="grid gap-3 sm:grid-cols-3">
      <Field id="d-version" label={t("version")} help={t("versionHelp")}>
        <Select id="d-version" value={values.version} onChange={set("version")}>
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </Select>
      </Field>
      <div className="sm:col-span-2">
        <Field id="d-site" label={t("siteUrl")} help={t("siteUrlHelp")}>
          <Input
            id="d-site"
            type="url"
            value={values.siteUrl}
            onChange={set("siteUrl")}
            placeholder="https://elab.unit.example"
          />
        </Field>
      </div>
      <Field id="d-https" label={t("https")}>
        <Select id="d-https" value={values.https} onChange={set("https")}>
          <option value="container">{t("httpsContainer")}</option>
          <option value="proxy">{t("httpsProxy")}</option>
        </Select>
      </Field>
      <Field id="d-publish-address" label={t("publishAddress")} help={t("publishAddressHelp")}>
        <Input
          id="d-publish-address"
          value={values.publishAddress}
          onChange={set("publishAddress")}
          placeholder={t("allAddresses")}
        />
      </Field>
      <Field id="d-publish-port" label={t("publishPort")} help={t("publishPortHelp")}>
        <Input id="d-publish-port" value={values.publishPort} onChange={set("publishPort")} inputMode="numeric" />
      </Field>
    </div>,

    <div key="database" className="space-y-3">
      <Field id="d-placement" label={t("database")}>
        <Select id="d-placement" value={values.databasePlacement} onChange={set("databasePlacement")}>
          <option value="container">{t("dbNew")}</option>
          <option value="external">{t("dbExternal")}</option>
        </Select>
      </Field>
      {!external ? (
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="d-db-host" label={t("dbHost")} help={t("dbHostHelp")}>
            <Select id="d-db-host" value={values.databaseHostId} onChange={set("databaseHostId")}>
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.label}
                  {h.id === values.webHostId ? t("sameHost") : ""}
                </option>
              ))}
            </Select>
          </Field>
          {otherDbHost && (
            <>
              <Field id="d-db-bind" label={t("dbBind")} help={t("dbBindHelp")}>
                <Input
                  id="d-db-bind"
                  value={values.databaseBindAddress}
                  onChange={set("databaseBindAddress")}
                  placeholder="10.0.0.6"
                />
              </Field>
              <Field id="d-db-port" label={t("dbPort")}>
                <Input id="d-db-port" value={values.databasePort} onChange={set("databasePort")} inputMode="numeric" />
              </Field>
            </>
          )}
          <p className="text-xs text-slate-600 sm:col-span-3">{t("generated")}</p>
        </div>
      ) : (
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="d-db-address" label={t("dbServer")} help={t("dbServerHelp")}>
            <Input
              id="d-db-address"
              value={values.databaseAddress}
              onChange={set("databaseAddress")}
              placeholder="mysql.unit.example"
            />
          </Field>
          <Field id="d-db-port" label={t("dbPort")}>
            <Input id="d-db-port" value={values.databasePort} onChange={set("databasePort")} inputMode="numeric" />
          </Field>
          <Field id="d-db-name" label={t("dbName")} help={t("dbNameHelp")}>
            <Input id="d-db-name" value={values.databaseName} onChange={set("databaseName")} />
          </Field>
          <Field id="d-db-user" label={t("dbUser")}>
            <Input id="d-db-user" value={values.databaseUser} onChange={set("databaseUser")} />
          </Field>
          <Field id="d-db-password" label={t("dbPassword")} help={t("dbPasswordHelp")}>
            <Input
              id="d-db-password"
              type="password"
              autoComplete="off"
              value={databasePassword}
              onChange={(e) => setDatabasePassword(e.target.value)}
            />
          </Field>
        </div>
      )}
    </div>,

    <div key="uploads" className="grid gap-3 sm:grid-cols-3">
      <Field id="d-uploads-kind" label={t("uploads")}>
        <Select id="d-uploads-kind" value={values.uploadsKind} onChange={set("uploadsKind")}>
          <option value="volume">{t("newVolume")}</option>
          <option value="bind">{t("directory")}</option>
        </Select>
      </Field>
      <div className="sm:col-span-2">
        <Field
          id="d-uploads"
          label={values.uploadsKind === "volume" ? t("volumeName") : t("directoryLabel")}
          help={
            values.uploadsKind === "volume" ? t("volumeHelp", { name: values.name || "<name>" }) : t("directoryHelp")
          }
        >
          <Input
            id="d-uploads"
            value={values.uploadsSource}
            onChange={set("uploadsSource")}
            placeholder={values.uploadsKind === "volume" ? `${values.name || "name"}-uploads` : "/var/elabftw/web"}
          />
        </Field>
      </div>
    </div>,

    plan ? (
      <div key="review" className="space-y-4">
        <Facts
          items={[
            [
              t("fact.instance"),
              plan.newUnit
                ? t("instanceValueNew", { name: plan.name, unit: plan.unitCode, unitName: plan.newUnit.name })
                : t("instanceValue", { name: plan.name, unit: plan.unitCode }),
            ],
            [t("fact.image"), plan.image],
            [t("fact.web"), t("webValue", { container: plan.webContainer, host: plan.webHostName })],
            [
              t("fact.published"),
              `${plan.publish.address || t("allAddresses")}:${plan.publish.port} → 443 (${plan.https ? t("httpsByContainer") : t("httpsByProxy")})`,
            ],
            [t("fact.siteUrl"), plan.siteUrl],
            [
              t("fact.database"),
              plan.database.placement === "container"
                ? `${t("dbContainerValue", { container: plan.database.container ?? "?", host: plan.database.hostName ?? "?", volume: plan.database.volume ?? "?" })}${plan.database.sameHost ? t("dbPrivate") : t("dbPublished", { address: plan.database.address ?? "?", port: plan.database.port ?? "?" })}`
                : t("dbExternalValue", {
                    address: plan.database.address ?? "?",
                    port: plan.database.port ?? "?",
                    name: plan.database.name ?? "?",
                    user: plan.database.user ?? "?",
                  }),
            ],
            [
              t("fact.uploads"),
              plan.uploads.kind === "volume" ? t("newVolumeValue", { name: plan.uploads.source }) : plan.uploads.source,
            ],
            [t("fact.network"), t("networkValue", { name: plan.network })],
            [t("fact.security"), t("securityValue")],
          ]}
        />
        <p className="text-sm text-slate-700">{t.rich("then", { code: (chunks) => <code>{chunks}</code> })}</p>
      </div>
    ) : null,
  ];

  return (
    <Card>
      <ol className="mb-4 flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label={t("steps")}>
        {STEPS.map((label, i) => (
          <li
            key={label}
            aria-current={i === step ? "step" : undefined}
            className={cn(
              "flex items-center gap-1.5",
              i === step ? "font-semibold text-slate-900" : i < step ? "text-slate-700" : "text-slate-500",
            )}
          >
            <span
              className={cn(
                "flex size-5 items-center justify-center rounded-full border text-xs",
                i < step ? "border-sky-800 bg-sky-800 text-white" : "border-slate-400",
              )}
            >
              {i < step ? <Check aria-hidden className="size-3" /> : i + 1}
            </span>
            {t(`step.${label}`)}
          </li>
        ))}
      </ol>
      <h2 className="mb-3 text-base font-semibold text-slate-900">
        {step + 1}. {t(`step.${STEPS[step]}`)}
      </h2>
      <div className="min-h-40">{pages[step]}</div>
      {error && (
        <div className="mt-4">
          <Alert tone="error">{error}</Alert>
        </div>
      )}
      <div className="mt-5 flex items-center justify-between gap-2 border-t border-slate-200 pt-3">
        <Button onClick={() => setStep((s) => Math.max(0, s - 1))} disabled={step === 0 || !!busy}>
          {t("back")}
        </Button>
        <div className="flex items-center gap-3">
          {busy && (
            <span role="status" className="text-sm text-slate-600">
              {busy}
            </span>
          )}
          {step < 3 && (
            <Button variant="primary" onClick={() => setStep((s) => s + 1)} disabled={!!busy}>
              {t("next")}
            </Button>
          )}
          {step === 3 && (
            <Button variant="primary" onClick={review} disabled={!!busy}>
              {t("review")}
            </Button>
          )}
          {step === 4 && (
            <Button variant="primary" onClick={deploy} disabled={!!busy || !plan}>
              <KeyRound aria-hidden className="size-4" />
              {t("deploy")}
            </Button>
          )}
        </div>
      </div>
    </Card>
  );
}
