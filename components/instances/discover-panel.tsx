"use client";

import { Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { adoptAction, createUnitAction, discoverAction } from "@/app/(dashboard)/instances/actions";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui";
import type { InstanceProposal } from "@/lib/server/instances/discovery";
import { useAction } from "@/components/use-action";

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
  const t = useTranslations("discover");
  const ta = useTranslations("addInstance");
  const router = useRouter();
  const [unitId, setUnitId] = useState(units[0]?.id ?? "new");
  const { run, pending: busy, error } = useAction();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await run(() => adopt(form), { onDone: (id) => router.push(`/instances/${id}`), keepPending: true });
  }

  /** A new unit first when asked for, then the adoption: its id, or the readable error thrown. */
  async function adopt(form: FormData): Promise<string> {
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
    return result.data.id;
  }

  const id = proposal.container.id.slice(0, 12);
  return (
    <form onSubmit={onSubmit} className="mt-3 grid gap-3 border-t border-slate-100 pt-3 sm:grid-cols-3">
      <Field id={`name-${id}`} label={ta("name")}>
        <Input id={`name-${id}`} name="name" defaultValue={proposal.suggestedName} required maxLength={50} />
      </Field>
      <Field id={`unit-${id}`} label={ta("unit")}>
        <Select id={`unit-${id}`} value={unitId} onChange={(e) => setUnitId(e.target.value)}>
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.code} · {u.name}
            </option>
          ))}
          <option value="new">{ta("newUnit")}</option>
        </Select>
      </Field>
      {unitId === "new" ? (
        <div className="grid grid-cols-2 gap-2">
          <Field id={`unit-code-${id}`} label={ta("unitCode")}>
            <Input id={`unit-code-${id}`} name="unitCode" placeholder="UMR5107" required />
          </Field>
          <Field id={`unit-name-${id}`} label={ta("unitName")}>
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
          {busy ? t("adopting") : t("adopt")}
        </Button>
      </div>
    </form>
  );
}

/** "Discover" on a host: the eLabFTW containers not yet in the inventory, each with its proposed layout. */
export function DiscoverPanel({ hostId, units: initialUnits }: { hostId: string; units: Unit[] }) {
  const t = useTranslations("discover");
  const { run, pending: busy, error } = useAction();
  const [proposals, setProposals] = useState<InstanceProposal[] | null>(null);
  const [units, setUnits] = useState(initialUnits);

  async function discover() {
    await run(() => discoverAction(hostId), { onDone: setProposals });
  }

  return (
    <Card
      title={t("title")}
      actions={
        <Button onClick={discover} disabled={busy}>
          <Search aria-hidden className="size-4" />
          {busy ? t("looking") : proposals ? t("again") : t("discover")}
        </Button>
      }
    >
      {error && <Alert tone="error">{error}</Alert>}
      {!proposals && !error && <p className="text-sm text-slate-600">{t("lead")}</p>}
      {proposals && proposals.length === 0 && <p className="text-sm text-slate-600">{t("none")}</p>}
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
              <Fact label={t("version")}>{p.elabftwVersion ?? t("unknownVersion")}</Fact>
              <Fact label={t("siteUrl")}>{p.siteUrl ?? t("notSet")}</Fact>
              <Fact label={t("database")}>
                {p.database.placement === "container"
                  ? t("dbContainer", { name: p.database.containerName ?? "?", host: p.database.hostName ?? "?" })
                  : t("dbExternal", { address: p.database.address ?? "?", port: p.database.port ?? 3306 })}{" "}
                <span className="text-slate-500">({p.database.foundBy})</span>,{" "}
                {t("dbDetails", { name: p.databaseName, user: p.databaseUser })}
                {p.databaseTls ? t("overTls") : ""}
              </Fact>
              <Fact label={t("uploads")}>
                {p.uploads
                  ? t(p.uploads.kind === "bind" ? "uploadsDir" : "uploadsVolume", { source: p.uploads.source })
                  : t("notMounted")}
              </Fact>
              <Fact label={t("compose")}>
                {p.compose
                  ? `${t("project", { project: p.compose.project })}${p.compose.configFiles ? `, ${p.compose.configFiles}` : ""}`
                  : t("noCompose")}
              </Fact>
              <Fact label={t("secrets")}>
                {[
                  p.secretsFound.dbPassword && t("dbPassword"),
                  p.secretsFound.secretKey && "SECRET_KEY",
                  p.secretsFound.mysqlRootPassword && t("rootPassword"),
                ]
                  .filter(Boolean)
                  .join(", ") || t("noSecrets")}{" "}
                <span className="text-slate-500">{t("sealed")}</span>
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
