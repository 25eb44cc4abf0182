"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { addInstanceAction, createUnitAction } from "@/app/(dashboard)/instances/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";

type Option = { id: string; label: string };

/** Add an instance by hand: every field the panel needs, the secrets optional (needed later for backups). */
export function AddInstanceForm({ units, hosts }: { units: Option[]; hosts: Option[] }) {
  const router = useRouter();
  const [unitId, setUnitId] = useState(units[0]?.id ?? "new");
  const [placement, setPlacement] = useState<"container" | "external">("container");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    setBusy(true);
    setError(null);
    try {
      let unit = unitId;
      if (unit === "new") {
        const created = await createUnitAction({ code: form.unitCode ?? "", name: form.unitName ?? "" });
        if (!created.ok) throw new Error(created.message);
        unit = created.data.id;
        setUnitId(unit);
      }
      const result = await addInstanceAction({ ...form, unitId: unit, databasePlacement: placement });
      if (!result.ok) throw new Error(result.message);
      router.push(`/instances/${result.data.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <Card>
      <form onSubmit={onSubmit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-name" label="Name in the inventory" help="Lower case, digits, dashes.">
            <Input id="i-name" name="name" required maxLength={50} />
          </Field>
          <Field id="i-unit" label="Unit">
            <Select id="i-unit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
              {units.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.label}
                </option>
              ))}
              <option value="new">New unit…</option>
            </Select>
          </Field>
          {unitId === "new" && (
            <div className="grid grid-cols-2 gap-2">
              <Field id="i-unit-code" label="Unit code">
                <Input id="i-unit-code" name="unitCode" placeholder="UMR5107" required />
              </Field>
              <Field id="i-unit-name" label="Unit name">
                <Input id="i-unit-name" name="unitName" required />
              </Field>
            </div>
          )}
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-host" label="Web host">
            <Select id="i-host" name="webHostId">
              {hosts.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="i-web" label="Web container" help="Its name as `docker ps` shows it.">
            <Input id="i-web" name="webContainerName" required />
          </Field>
          <Field id="i-site" label="Site URL">
            <Input id="i-site" name="siteUrl" type="url" placeholder="https://elab.unit.example" required />
          </Field>
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-placement" label="Database">
            <Select
              id="i-placement"
              value={placement}
              onChange={(e) => setPlacement(e.target.value as "container" | "external")}
            >
              <option value="container">A container on a managed host</option>
              <option value="external">An external server</option>
            </Select>
          </Field>
          {placement === "container" ? (
            <>
              <Field id="i-db-host" label="Database host">
                <Select id="i-db-host" name="databaseHostId">
                  {hosts.map((h) => (
                    <option key={h.id} value={h.id}>
                      {h.label}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field id="i-db-container" label="Database container">
                <Input id="i-db-container" name="databaseContainerName" placeholder="mysql" required />
              </Field>
            </>
          ) : (
            <>
              <Field id="i-db-address" label="Database address">
                <Input id="i-db-address" name="databaseAddress" placeholder="mysql.unit.example" required />
              </Field>
              <Field id="i-db-port" label="Database port">
                <Input id="i-db-port" name="databasePort" defaultValue="3306" inputMode="numeric" required />
              </Field>
            </>
          )}
          <Field id="i-db-name" label="Database name">
            <Input id="i-db-name" name="databaseName" defaultValue="elabftw" required />
          </Field>
          <Field id="i-db-user" label="Database user">
            <Input id="i-db-user" name="databaseUser" defaultValue="elabftw" required />
          </Field>
        </div>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="i-uploads-kind" label="Uploads">
            <Select id="i-uploads-kind" name="uploadsKind">
              <option value="bind">A directory of the host</option>
              <option value="volume">A Docker volume</option>
            </Select>
          </Field>
          <div className="sm:col-span-2">
            <Field
              id="i-uploads"
              label="Uploads location"
              help="Host directory (e.g. /var/elabftw/web) or volume name."
            >
              <Input id="i-uploads" name="uploadsSource" required />
            </Field>
          </div>
        </div>
        <fieldset className="grid gap-3 sm:grid-cols-3">
          <legend className="mb-1 text-sm font-medium text-slate-800">
            Secrets (optional now, needed for backups; stored encrypted, never shown again)
          </legend>
          <Field id="i-db-password" label="Database password">
            <Input id="i-db-password" name="dbPassword" type="password" autoComplete="off" />
          </Field>
          <Field id="i-secret-key" label="SECRET_KEY">
            <Input id="i-secret-key" name="secretKey" type="password" autoComplete="off" />
          </Field>
          <Field id="i-root-password" label="MySQL root password">
            <Input id="i-root-password" name="mysqlRootPassword" type="password" autoComplete="off" />
          </Field>
        </fieldset>
        {error && <Alert tone="error">{error}</Alert>}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Checking the container and adding…" : "Add the instance"}
        </Button>
      </form>
    </Card>
  );
}
