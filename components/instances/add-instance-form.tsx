"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { addInstanceAction, createUnitAction } from "@/app/(dashboard)/instances/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import { useAction } from "@/components/use-action";

type Option = { id: string; label: string };

/** Add an instance by hand: every field the panel needs, the secrets optional (needed later for backups). */
export function AddInstanceForm({ units, hosts }: { units: Option[]; hosts: Option[] }) {
  const t = useTranslations("addInstance");
  const router = useRouter();
  const [unitId, setUnitId] = useState(units[0]?.id ?? "new");
  const [placement, setPlacement] = useState<"container" | "external">("container");
  const { run, pending: busy, error } = useAction();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    await run(() => add(form), { onDone: (id) => router.push(`/instances/${id}`), keepPending: true });
  }

  /** A new unit first when asked for, then the instance: its id, or the readable error thrown. */
  async function add(form: Record<string, string>): Promise<string> {
    let unit = unitId;
    if (unit === "new") {
      const created = await createUnitAction({ code: form.unitCode ?? "", name: form.unitName ?? "" });
      if (!created.ok) throw new Error(created.message);
      unit = created.data.id;
      setUnitId(unit);
    }
    const result = await addInstanceAction({ ...form, unitId: unit, databasePlacement: placement });
    if (!result.ok) throw new Error(result.message);
    return result.data.id;
  }

  return (
    <Card>
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-name" label={t("name")} help={t("nameHelp")}>
            <Input id="i-name" name="name" required maxLength={50} />
          </Field>
          <Field id="i-unit" label={t("unit")}>
            <Select id="i-unit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
              {units.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.label}
                </option>
              ))}
              <option value="new">{t("newUnit")}</option>
            </Select>
          </Field>
          {unitId === "new" && (
            <div className="grid grid-cols-2 gap-2">
              <Field id="i-unit-code" label={t("unitCode")}>
                <Input id="i-unit-code" name="unitCode" placeholder="UMR5107" required />
              </Field>
              <Field id="i-unit-name" label={t("unitName")}>
                <Input id="i-unit-name" name="unitName" required />
              </Field>
            </div>
          )}
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-host" label={t("webHost")}>
            <Select id="i-host" name="webHostId">
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="i-web" label={t("webContainer")} help={t("webContainerHelp")}>
            <Input id="i-web" name="webContainerName" required />
          </Field>
          <Field id="i-site" label={t("siteUrl")}>
            <Input id="i-site" name="siteUrl" type="url" placeholder="https://elab.unit.example" required />
          </Field>
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-placement" label={t("database")}>
            <Select
              id="i-placement"
              value={placement}
              onChange={(e) => setPlacement(e.target.value as "container" | "external")}
            >
              <option value="container">{t("dbContainerOption")}</option>
              <option value="external">{t("dbExternalOption")}</option>
            </Select>
          </Field>
          {placement === "container" ? (
            <>
              <Field id="i-db-host" label={t("dbHost")}>
                <Select id="i-db-host" name="databaseHostId">
                  {hosts.map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.label}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field id="i-db-container" label={t("dbContainer")}>
                <Input id="i-db-container" name="databaseContainerName" placeholder="mysql" required />
              </Field>
            </>
          ) : (
            <>
              <Field id="i-db-address" label={t("dbAddress")}>
                <Input id="i-db-address" name="databaseAddress" placeholder="mysql.unit.example" required />
              </Field>
              <Field id="i-db-port" label={t("dbPort")}>
                <Input id="i-db-port" name="databasePort" defaultValue="3306" inputMode="numeric" required />
              </Field>
            </>
          )}
          <Field id="i-db-name" label={t("dbName")}>
            <Input id="i-db-name" name="databaseName" defaultValue="elabftw" required />
          </Field>
          <Field id="i-db-user" label={t("dbUser")}>
            <Input id="i-db-user" name="databaseUser" defaultValue="elabftw" required />
          </Field>
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-uploads-kind" label={t("uploads")}>
            <Select id="i-uploads-kind" name="uploadsKind">
              <option value="bind">{t("bindOption")}</option>
              <option value="volume">{t("volumeOption")}</option>
            </Select>
          </Field>
          <div className="sm:col-span-2">
            <Field id="i-uploads" label={t("uploadsLocation")} help={t("uploadsHelp")}>
              <Input id="i-uploads" name="uploadsSource" required />
            </Field>
          </div>
        </div>
        <fieldset className="grid gap-3 sm:grid-cols-3">
          <legend className="mb-1 text-sm font-medium text-slate-800">{t("secrets")}</legend>
          <Field id="i-db-password" label={t("dbPassword")}>
            <Input id="i-db-password" name="dbPassword" type="password" autoComplete="off" />
          </Field>
          <Field id="i-secret-key" label="SECRET_KEY">
            <Input id="i-secret-key" name="secretKey" type="password" autoComplete="off" />
          </Field>
          <Field id="i-root-password" label={t("rootPassword")}>
            <Input id="i-root-password" name="mysqlRootPassword" type="password" autoComplete="off" />
          </Field>
        </fieldset>
        {error && <Alert tone="error">{error}</Alert>}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? t("adding") : t("submit")}
        </Button>
      </form>
    </Card>
  );
}
