"use client";

import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useMemo, useState, type FormEvent } from "react";
import { importRecoveryKitAction } from "@/app/(dashboard)/backups/actions";
import { recoverAction, recoverablePointsAction } from "@/app/(dashboard)/instances/actions";
import { KeyConfirmButton } from "@/components/auth/key-confirm";
import { Alert, Button, Card, Field, Input, Select, Table, Textarea } from "@/components/ui";
import { useAction } from "@/components/use-action";
import { formatDateTime } from "@/lib/format";
import type { RecoverablePoint } from "@/lib/server/recover/recover-instance";

interface Option {
  id: string;
  name: string;
}

/** A select's options, one per item, by name. */
function Options({ of }: { of: Option[] }) {
  return of.map((o) => (
    <option key={o.id} value={o.id}>
      {o.name}
    </option>
  ));
}

/**
 * Recover an instance: a repository and a target host, then one of its restore points, then the
 * new instance's name, unit, site URL and published port; a key touch for these very answers.
 */
export function RecoverForm({
  repositories,
  hosts,
  units,
}: {
  repositories: Option[];
  hosts: Option[];
  units: { id: string; code: string; name: string }[];
}) {
  const t = useTranslations("recover");
  const locale = useLocale();
  const router = useRouter();
  const [repositoryId, setRepositoryId] = useState(repositories[0]?.id ?? "");
  const [hostId, setHostId] = useState(hosts[0]?.id ?? "");
  const [points, setPoints] = useState<RecoverablePoint[] | null>(null);
  const [chosen, setChosen] = useState<RecoverablePoint | null>(null);
  const [name, setName] = useState("");
  const [unitId, setUnitId] = useState("");
  const [siteUrl, setSiteUrl] = useState("");
  const [publishedPort, setPublishedPort] = useState("");
  const listing = useAction();

  async function list() {
    setChosen(null);
    await listing.run(() => recoverablePointsAction(repositoryId, hostId), {
      onDone: (data) => setPoints(data),
      doing: t("listing"),
    });
  }

  function choose(point: RecoverablePoint) {
    setChosen(point);
    setName(point.instance ?? "");
    setUnitId(units.find((u) => u.code === point.unit)?.id ?? "");
  }

  const plan = useMemo(
    () => ({ repositoryId, snapshotId: chosen?.id ?? "", hostId, unitId, name, siteUrl, publishedPort }),
    [repositoryId, chosen, hostId, unitId, name, siteUrl, publishedPort],
  );
  const unitMissing = chosen?.unit && !units.some((u) => u.code === chosen.unit);

  return (
    <div className="space-y-4">
      <Card title={t("sourceTitle")}>
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="rc-repo" label={t("repository")}>
            <Select id="rc-repo" value={repositoryId} onChange={(e) => setRepositoryId(e.target.value)}>
              <Options of={repositories} />
            </Select>
          </Field>
          <Field id="rc-host" label={t("host")} help={t("hostHelp")}>
            <Select id="rc-host" value={hostId} onChange={(e) => setHostId(e.target.value)}>
              <Options of={hosts} />
            </Select>
          </Field>
          <div className="flex items-end">
            <Button onClick={list} disabled={listing.pending || !repositoryId || !hostId}>
              {listing.pending ? t("listing") : t("list")}
            </Button>
          </div>
        </div>
        {listing.error && (
          <div className="mt-3">
            <Alert tone="error">{listing.error}</Alert>
          </div>
        )}
      </Card>

      {points && (
        <Card title={t("pointsTitle", { count: points.length })}>
          {points.length === 0 ? (
            <p className="text-sm text-slate-700">{t("noPoints")}</p>
          ) : (
            <Table
              caption={t("pointsTitle", { count: points.length })}
              columns={[t("pick"), t("instance"), t("unit"), t("taken"), t("version"), t("trigger"), t("snapshot")]}
              rows={points.map((p) => ({
                key: p.id,
                cells: [
                  <input
                    key="pick"
                    type="radio"
                    name="point"
                    aria-label={t("pickPoint", {
                      name: p.instance ?? "?",
                      at: formatDateTime(new Date(p.time), locale),
                    })}
                    checked={chosen?.id === p.id}
                    onChange={() => choose(p)}
                  />,
                  p.instance ?? "—",
                  p.unit ?? "—",
                  formatDateTime(new Date(p.time), locale),
                  p.version ?? "—",
                  p.trigger ?? "—",
                  <code key="id" className="font-mono text-xs">
                    {p.id.slice(0, 8)}
                  </code>,
                ],
              }))}
            />
          )}
        </Card>
      )}

      {chosen && (
        <Card title={t("targetTitle")}>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field id="rc-name" label={t("name")}>
              <Input id="rc-name" value={name} onChange={(e) => setName(e.target.value)} required />
            </Field>
            <Field id="rc-unit" label={t("unit")}>
              <Select id="rc-unit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
                <option value="">{t("chooseUnit")}</option>
                {units.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.code} · {u.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field id="rc-url" label={t("siteUrl")} help={t("siteUrlHelp")}>
              <Input id="rc-url" value={siteUrl} onChange={(e) => setSiteUrl(e.target.value)} placeholder="https://" />
            </Field>
            <Field id="rc-port" label={t("port")} help={t("portHelp")}>
              <Input
                id="rc-port"
                value={publishedPort}
                onChange={(e) => setPublishedPort(e.target.value)}
                inputMode="numeric"
              />
            </Field>
          </div>
          {unitMissing && (
            <div className="mt-3">
              <Alert tone="warning">{t("unitMissing", { code: chosen.unit ?? "" })}</Alert>
            </div>
          )}
          <div className="mt-4">
            <KeyConfirmButton
              label={t("recover")}
              title={t("confirmTitle", { name })}
              action="instance.recover"
              params={plan}
              variant="primary"
              confirmLabel={t("confirm")}
              disabled={!name || !unitId}
              run={(stepUp) => recoverAction(plan, stepUp)}
              onDone={(data) => router.push(`/operations/${data.operationId}`)}
            >
              <p className="text-sm text-slate-800">
                {t("confirmBody", { host: hosts.find((h) => h.id === hostId)?.name ?? "" })}
              </p>
            </KeyConfirmButton>
          </div>
        </Card>
      )}
    </div>
  );
}

/** Add a repository from its recovery kit: on a fresh panel, the way back to the restore points. */
export function KitImportForm({ hosts }: { hosts: Option[] }) {
  const t = useTranslations("recover");
  const router = useRouter();
  const { run, pending, error } = useAction();
  const [done, setDone] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = Object.fromEntries(new FormData(form)) as { kit: string; hostId?: string };
    setDone(false);
    await run(() => importRecoveryKitAction({ kit: data.kit, hostId: data.hostId || undefined }), {
      onDone: () => {
        setDone(true);
        form.reset();
        router.refresh();
      },
    });
  }
  return (
    <Card title={t("kitTitle")}>
      <form onSubmit={onSubmit} className="space-y-3">
        <p className="text-sm text-slate-700">{t("kitBody")}</p>
        <Field id="rc-kit" label={t("kit")}>
          <Textarea id="rc-kit" name="kit" rows={6} required />
        </Field>
        <Field id="rc-kit-host" label={t("kitHost")} help={t("kitHostHelp")}>
          <Select id="rc-kit-host" name="hostId" defaultValue="">
            <option value="">{t("kitNoHost")}</option>
            <Options of={hosts} />
          </Select>
        </Field>
        {error && <Alert tone="error">{error}</Alert>}
        {done && <Alert tone="success">{t("kitAdded")}</Alert>}
        <Button type="submit" disabled={pending}>
          {pending ? t("kitAdding") : t("kitAdd")}
        </Button>
      </form>
    </Card>
  );
}
