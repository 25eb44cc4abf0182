"use client";

import { Check, KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { checkDeployAction, deployAction } from "@/app/(dashboard)/instances/actions";
import { withKeyTouch } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Facts, Field, Input, Select, cn } from "@/components/ui";
import type { DeployPlan } from "@/lib/server/instances/deploy-plan";

type Option = { id: string; label: string };

const STEPS = ["Where", "Version and address", "Database", "Uploads", "Review"] as const;

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
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
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
    setBusy("Checking your answers…");
    setError(null);
    try {
      const result = await checkDeployAction(params());
      if (!result.ok) throw new Error(result.message);
      setPlan(result.data);
      setStep(4);
    } catch (e) {
      const message = (e as Error).message;
      setError(message);
      const page = FIELD_PAGES.find(([pattern]) => pattern.test(message));
      if (page) setStep(page[1]);
    } finally {
      setBusy(null);
    }
  }

  async function deploy() {
    setBusy("Touch your security key…");
    setError(null);
    try {
      const p = params();
      const data = await withKeyTouch("instance.deploy", p, (stepUp) =>
        deployAction(p, external ? { databasePassword } : {}, stepUp),
      );
      setBusy("Starting the deployment…");
      router.push(`/operations/${data.operationId}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(null);
    }
  }

  const pages: ReactNode[] = [
    <div key="where" className="grid gap-3 sm:grid-cols-3">
      <Field
        id="d-name"
        label="Name in the inventory"
        help="Lower case, digits, dashes; also the prefix of its containers."
      >
        <Input id="d-name" value={values.name} onChange={set("name")} placeholder="umr5107-elab" maxLength={50} />
      </Field>
      <Field id="d-unit" label="Unit">
        <Select id="d-unit" value={values.unitId} onChange={set("unitId")}>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.label}
            </option>
          ))}
          <option value="new">New unit…</option>
        </Select>
      </Field>
      <Field id="d-host" label="Web host" help="Where the eLabFTW container runs.">
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
          <Field id="d-unit-code" label="Unit code">
            <Input id="d-unit-code" value={values.unitCode} onChange={set("unitCode")} placeholder="UMR5107" />
          </Field>
          <Field id="d-unit-name" label="Unit name">
            <Input id="d-unit-name" value={values.unitName} onChange={set("unitName")} />
          </Field>
        </>
      )}
    </div>,

    <div key="version" className="grid gap-3 sm:grid-cols-3">
      <Field id="d-version" label="eLabFTW version" help="Stable releases the registry offers, newest first.">
        <Select id="d-version" value={values.version} onChange={set("version")}>
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </Select>
      </Field>
      <div className="sm:col-span-2">
        <Field id="d-site" label="Site URL" help="The address users will type; links in e-mails use it.">
          <Input
            id="d-site"
            type="url"
            value={values.siteUrl}
            onChange={set("siteUrl")}
            placeholder="https://elab.unit.example"
          />
        </Field>
      </div>
      <Field id="d-https" label="HTTPS">
        <Select id="d-https" value={values.https} onChange={set("https")}>
          <option value="container">Served by the container (self-signed certificate)</option>
          <option value="proxy">Done by a reverse proxy in front (plain HTTP on 443)</option>
        </Select>
      </Field>
      <Field id="d-publish-address" label="Published address" help="Empty: every address of the host.">
        <Input
          id="d-publish-address"
          value={values.publishAddress}
          onChange={set("publishAddress")}
          placeholder="all addresses"
        />
      </Field>
      <Field id="d-publish-port" label="Published port" help="The host port that leads to the container's 443.">
        <Input id="d-publish-port" value={values.publishPort} onChange={set("publishPort")} inputMode="numeric" />
      </Field>
    </div>,

    <div key="database" className="space-y-3">
      <Field id="d-placement" label="Database">
        <Select id="d-placement" value={values.databasePlacement} onChange={set("databasePlacement")}>
          <option value="container">A new MySQL 8.0 container on a managed host</option>
          <option value="external">An existing external MySQL server</option>
        </Select>
      </Field>
      {!external ? (
        <div className="grid gap-3 sm:grid-cols-3">
          <Field
            id="d-db-host"
            label="Database host"
            help="Another host than the web host satisfies the CNRS two-machine rule."
          >
            <Select id="d-db-host" value={values.databaseHostId} onChange={set("databaseHostId")}>
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.label}
                  {h.id === values.webHostId ? " (same as the web host)" : ""}
                </option>
              ))}
            </Select>
          </Field>
          {otherDbHost && (
            <>
              <Field
                id="d-db-bind"
                label="Database address on its host"
                help="One IP address of the database host that the web host reaches; the port is published there only."
              >
                <Input
                  id="d-db-bind"
                  value={values.databaseBindAddress}
                  onChange={set("databaseBindAddress")}
                  placeholder="10.0.0.6"
                />
              </Field>
              <Field id="d-db-port" label="Database port">
                <Input id="d-db-port" value={values.databasePort} onChange={set("databasePort")} inputMode="numeric" />
              </Field>
            </>
          )}
          <p className="text-xs text-slate-600 sm:col-span-3">
            The database password and the MySQL root password are generated, stored encrypted and never shown.
          </p>
        </div>
      ) : (
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="d-db-address" label="Database server" help="Host name or IP address.">
            <Input
              id="d-db-address"
              value={values.databaseAddress}
              onChange={set("databaseAddress")}
              placeholder="mysql.unit.example"
            />
          </Field>
          <Field id="d-db-port" label="Database port">
            <Input id="d-db-port" value={values.databasePort} onChange={set("databasePort")} inputMode="numeric" />
          </Field>
          <Field id="d-db-name" label="Database name" help="It must exist and be empty.">
            <Input id="d-db-name" value={values.databaseName} onChange={set("databaseName")} />
          </Field>
          <Field id="d-db-user" label="Database user">
            <Input id="d-db-user" value={values.databaseUser} onChange={set("databaseUser")} />
          </Field>
          <Field id="d-db-password" label="Database password" help="Stored encrypted, never shown again.">
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
      <Field id="d-uploads-kind" label="Uploads">
        <Select id="d-uploads-kind" value={values.uploadsKind} onChange={set("uploadsKind")}>
          <option value="volume">A new Docker volume</option>
          <option value="bind">A directory of the web host</option>
        </Select>
      </Field>
      <div className="sm:col-span-2">
        <Field
          id="d-uploads"
          label={values.uploadsKind === "volume" ? "Volume name" : "Directory"}
          help={
            values.uploadsKind === "volume"
              ? `Empty: ${values.name || "<name>"}-uploads. It must not exist yet.`
              : "Absolute path on the web host, e.g. /var/elabftw/web; created if missing, owned by 101:101."
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
            ["Instance", `${plan.name} (unit ${plan.unitCode}${plan.newUnit ? `, new: ${plan.newUnit.name}` : ""})`],
            ["Image", plan.image],
            ["Web container", `${plan.webContainer} on ${plan.webHostName}`],
            [
              "Published",
              `${plan.publish.address || "all addresses"}:${plan.publish.port} → 443 (${plan.https ? "HTTPS by the container" : "plain HTTP, TLS by your proxy"})`,
            ],
            ["Site URL", plan.siteUrl],
            [
              "Database",
              plan.database.placement === "container"
                ? `${plan.database.container} (mysql:8.0) on ${plan.database.hostName}, data in volume ${plan.database.volume}${plan.database.sameHost ? ", reached on the private network" : `, published on ${plan.database.address}:${plan.database.port}`}`
                : `external server ${plan.database.address}:${plan.database.port}, database ${plan.database.name}, user ${plan.database.user}`,
            ],
            ["Uploads", plan.uploads.kind === "volume" ? `new volume ${plan.uploads.source}` : plan.uploads.source],
            ["Network", `${plan.network} (dedicated)`],
            [
              "Security",
              "capabilities dropped to the reference set, no-new-privileges, restart unless-stopped, generated SECRET_KEY",
            ],
          ]}
        />
        <p className="text-sm text-slate-700">
          The panel then waits for the database, creates the schema (<code>bin/init db:install</code>), checks{" "}
          <code>/healthcheck.php</code> and adds the instance to the inventory. If a step fails, everything it created
          is removed.
        </p>
      </div>
    ) : null,
  ];

  return (
    <Card>
      <ol className="mb-4 flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Steps">
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
            {label}
          </li>
        ))}
      </ol>
      <h2 className="mb-3 text-base font-semibold text-slate-900">
        {step + 1}. {STEPS[step]}
      </h2>
      <div className="min-h-40">{pages[step]}</div>
      {error && (
        <div className="mt-4">
          <Alert tone="error">{error}</Alert>
        </div>
      )}
      <div className="mt-5 flex items-center justify-between gap-2 border-t border-slate-200 pt-3">
        <Button onClick={() => setStep((s) => Math.max(0, s - 1))} disabled={step === 0 || !!busy}>
          Back
        </Button>
        <div className="flex items-center gap-3">
          {busy && (
            <span role="status" className="text-sm text-slate-600">
              {busy}
            </span>
          )}
          {step < 3 && (
            <Button variant="primary" onClick={() => setStep((s) => s + 1)} disabled={!!busy}>
              Next
            </Button>
          )}
          {step === 3 && (
            <Button variant="primary" onClick={review} disabled={!!busy}>
              Review
            </Button>
          )}
          {step === 4 && (
            <Button variant="primary" onClick={deploy} disabled={!!busy || !plan}>
              <KeyRound aria-hidden className="size-4" />
              Deploy with my security key
            </Button>
          )}
        </div>
      </div>
    </Card>
  );
}
