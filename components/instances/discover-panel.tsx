"use client";

import { Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { adoptAction, createUnitAction, discoverAction } from "@/app/(dashboard)/instances/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import type { InstanceProposal } from "@/lib/server/instances/discovery";

type Unit = { id: string; code: string; name: string };

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </>
  );
}

function AdoptForm({
  proposal,
  units,
  onUnit,
}: {
  proposal: InstanceProposal;
  units: Unit[];
  onUnit: (u: Unit) => void;
}) {
  const router = useRouter();
  const [unitId, setUnitId] = useState(units[0]?.id ?? "new");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      let chosen = unitId;
      if (chosen === "new") {
        const created = await createUnitAction({
          code: String(form.get("unitCode") ?? ""),
          name: String(form.get("unitName") ?? ""),
        });
        if (!created.ok) throw new Error(created.message);
        onUnit(created.data);
        setUnitId(created.data.id);
        chosen = created.data.id;
      }
      const result = await adoptAction({
        hostId: proposal.hostId,
        containerId: proposal.container.id,
        unitId: chosen,
        name: String(form.get("name") ?? ""),
      });
      if (!result.ok) throw new Error(result.message);
      router.push(`/instances/${result.data.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  const id = proposal.container.id.slice(0, 12);
  return (
    <form onSubmit={onSubmit} className="mt-3 grid gap-3 border-t border-slate-100 pt-3 sm:grid-cols-3">
      <Field id={`name-${id}`} label="Name in the inventory">
        <Input id={`name-${id}`} name="name" defaultValue={proposal.suggestedName} required maxLength={50} />
      </Field>
      <Field id={`unit-${id}`} label="Unit">
        <Select id={`unit-${id}`} value={unitId} onChange={(e) => setUnitId(e.target.value)}>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.code} · {u.name}
            </option>
          ))}
          <option value="new">New unit…</option>
        </Select>
      </Field>
      {unitId === "new" ? (
        <div className="grid grid-cols-2 gap-2">
          <Field id={`unit-code-${id}`} label="Unit code">
            <Input id={`unit-code-${id}`} name="unitCode" placeholder="UMR5107" required />
          </Field>
          <Field id={`unit-name-${id}`} label="Unit name">
            <Input id={`unit-name-${id}`} name="unitName" required />
          </Field>
        </div>
      ) : (
        <div />
      )}
      <div className="sm:col-span-3">
        {error && (
          <Alert tone="error" className="mb-2">
            {error}
          </Alert>
        )}
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Adopting…" : "Adopt this instance"}
        </Button>
      </div>
    </form>
  );
}

/** "Discover" on a host: the eLabFTW containers not yet in the inventory, each with its proposed layout. */
export function DiscoverPanel({ hostId, units: initialUnits }: { hostId: string; units: Unit[] }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [proposals, setProposals] = useState<InstanceProposal[] | null>(null);
  const [units, setUnits] = useState(initialUnits);

  async function discover() {
    setBusy(true);
    setError(null);
    const result = await discoverAction(hostId);
    setBusy(false);
    if (!result.ok) setError(result.message);
    else setProposals(result.data);
  }

  return (
    <Card
      title="eLabFTW instances on this host"
      actions={
        <Button onClick={discover} disabled={busy}>
          <Search aria-hidden className="size-4" />
          {busy ? "Looking at the containers…" : proposals ? "Discover again" : "Discover"}
        </Button>
      }
    >
      {error && <Alert tone="error">{error}</Alert>}
      {!proposals && !error && (
        <p className="text-sm text-slate-600">
          Discover lists the containers running an eLabFTW image that the inventory does not know yet, with their
          database, uploads and compose project, ready to adopt.
        </p>
      )}
      {proposals && proposals.length === 0 && (
        <p className="text-sm text-slate-600">
          No eLabFTW container on this host that is not already in the inventory. Deploy a new instance, or add one by
          hand for an unusual layout.
        </p>
      )}
      <ul className="space-y-4">
        {proposals?.map((p) => (
          <li key={p.container.id} className="rounded-md border border-slate-200 p-3">
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h3 className="font-semibold text-slate-900">{p.container.name}</h3>
              <span className="text-xs text-slate-500">
                {p.container.state} · <code>{p.container.image}</code>
              </span>
            </div>
            <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
              <Fact label="Version">{p.elabftwVersion ?? "unknown (no version label)"}</Fact>
              <Fact label="Site URL">{p.siteUrl ?? "not set"}</Fact>
              <Fact label="Database">
                {p.database.placement === "container"
                  ? `container ${p.database.containerName} on ${p.database.hostName}`
                  : `external server ${p.database.address}:${p.database.port}`}{" "}
                <span className="text-slate-500">({p.database.foundBy})</span>, database {p.databaseName}, user{" "}
                {p.databaseUser}
                {p.databaseTls ? ", over TLS" : ""}
              </Fact>
              <Fact label="Uploads">
                {p.uploads
                  ? `${p.uploads.kind === "bind" ? "directory" : "volume"} ${p.uploads.source}`
                  : "not mounted"}
              </Fact>
              <Fact label="Compose">
                {p.compose
                  ? `project ${p.compose.project}${p.compose.configFiles ? `, ${p.compose.configFiles}` : ""}`
                  : "not started by compose"}
              </Fact>
              <Fact label="Secrets found">
                {[
                  p.secretsFound.dbPassword && "database password",
                  p.secretsFound.secretKey && "SECRET_KEY",
                  p.secretsFound.mysqlRootPassword && "MySQL root password",
                ]
                  .filter(Boolean)
                  .join(", ") || "none"}{" "}
                <span className="text-slate-500">(stored encrypted on adoption, never shown)</span>
              </Fact>
            </dl>
            {p.warnings.length > 0 && (
              <Alert tone="warning" className="mt-2">
                {p.warnings.join(" ")}
              </Alert>
            )}
            <AdoptForm proposal={p} units={units} onUnit={(u) => setUnits((list) => [...list, u])} />
          </li>
        ))}
      </ul>
    </Card>
  );
}
