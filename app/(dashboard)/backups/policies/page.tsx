import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { PolicyForm, UnitAlertsForm } from "@/components/backups/policy-form";
import {
  CopyableLine,
  PolicyRepositorySelect,
  RecoveryKitButton,
  RepositoryForm,
} from "@/components/backups/repository-form";
import { Card, PageHeader, StatusBadge, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { findRepositories } from "@/lib/server/repositories/repositories";
import { keyFingerprint } from "@/lib/server/repositories/ssh-keys";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { backupPaths } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { nextRunOf } from "@/lib/server/backups/backup-status";
import { findPolicies } from "@/lib/server/backups/policies";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("policies"))("title") };
}

export default async function PoliciesPage() {
  const viewer = await requirePermission("backups.run", "/backups/policies");
  const admin = can(viewer.role, "repositories.manage");
  const [policies, repositories, hosts] = await Promise.all([
    findPolicies(db()),
    findRepositories(db()),
    db().dockerHost.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  const tr = await getTranslations("repositories");
  const units = await db().unit.findMany({
    orderBy: { code: "asc" },
    select: { id: true, code: true, name: true, alertEmails: true },
  });
  const at = now();
  const t = await getTranslations("policies");
  const locale = await getLocale();
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <div className="space-y-5">
        <Card title={t("card")}>
          {policies.length === 0 ? (
            <p className="text-sm text-slate-600">{t("none")}</p>
          ) : (
            <Table
              caption={t("title")}
              columns={(
                [
                  "name",
                  "schedule",
                  "next",
                  "kept",
                  "repository",
                  "destination",
                  "keys",
                  "verify",
                  "instances",
                ] as const
              ).map((c) => t(`col.${c}`))}
              rows={policies.map((p) => ({
                key: p.id,
                cells: [
                  p.name,
                  <code key="s" className="text-xs">
                    {p.schedule} ({p.timezone})
                  </code>,
                  formatDateTime(nextRunOf(p.schedule, p.timezone, at), locale),
                  t("kept", { days: p.retentionDays, keep: p.keepLast }),
                  <PolicyRepositorySelect
                    key="r"
                    policyId={p.id}
                    current={p.repositoryId}
                    repositories={repositories.map((r) => ({ id: r.id, name: r.name }))}
                  />,
                  p.repositoryId ? (
                    <PolicyRepositorySelect
                      key="o"
                      which="offsite"
                      policyId={p.id}
                      current={p.offsiteRepositoryId}
                      repositories={repositories
                        .filter((r) => r.id !== p.repositoryId)
                        .map((r) => ({ id: r.id, name: r.name }))}
                    />
                  ) : (
                    <span key="o" className="text-slate-600">
                      {tr("offsiteNeedsRepository")}
                    </span>
                  ),
                  <code key="d" className="text-xs">
                    {p.destinationDir}
                  </code>,
                  p.extraRecipients.length,
                  p.verifyAfterBackup ? t("verifyAfter") : t("verifyOnDemand"),
                  p._count.instances,
                ],
              }))}
            />
          )}
        </Card>
        <Card title={tr("title")}>
          <p className="mb-3 text-sm text-slate-700">{tr("lead")}</p>
          {repositories.length === 0 ? (
            <p className="text-sm text-slate-600">{tr("none")}</p>
          ) : (
            <Table
              caption={tr("title")}
              columns={(
                [
                  "name",
                  "kind",
                  "where",
                  "mode",
                  "state",
                  "fullCheck",
                  "policies",
                  ...(admin ? (["kit"] as const) : []),
                ] as const
              ).map((c) => tr(`col.${c}`))}
              rows={repositories.map((r) => ({
                key: r.id,
                cells: [
                  r.name,
                  tr(`kinds.${r.kind}`),
                  <div key="w" className="space-y-1">
                    <code className="text-xs">
                      {r.host ? tr("onHost", { location: r.location, host: r.host.name }) : r.location}
                    </code>
                    {r.sshHostKey && (
                      <p className="text-xs text-slate-600">
                        {tr("hostKeyPinned", { fingerprint: keyFingerprint(r.sshHostKey) })}
                      </p>
                    )}
                    {r.sshPublicKey && admin && (
                      <CopyableLine label={tr("publicKey")} value={r.sshPublicKey} copy={tr("copy")} />
                    )}
                  </div>,
                  r.appendOnly ? <StatusBadge key="m" tone="info" label={tr("appendOnlyMode")} /> : tr("prunable"),
                  r.initializedAt ? (
                    <StatusBadge key="s" tone="ok" label={tr("initialized")} />
                  ) : (
                    <span key="s" className="text-slate-600">
                      {tr("notYet")}
                    </span>
                  ),
                  r.fullCheckAt === null ? (
                    <span key="c" className="text-slate-600">
                      {tr("fullCheckNotYet")}
                    </span>
                  ) : r.fullCheckOk ? (
                    <StatusBadge
                      key="c"
                      tone="ok"
                      label={tr("fullCheckSound", { at: formatDateTime(r.fullCheckAt, locale) })}
                    />
                  ) : (
                    <div key="c" className="space-y-1">
                      <StatusBadge
                        tone="error"
                        label={tr("fullCheckDamaged", { at: formatDateTime(r.fullCheckAt, locale) })}
                      />
                      <p className="text-xs text-slate-700">{r.fullCheckError}</p>
                    </div>
                  ),
                  r._count.primaryOf + r._count.offsiteOf,
                  ...(admin ? [<RecoveryKitButton key="k" repositoryId={r.id} name={r.name} />] : []),
                ],
              }))}
            />
          )}
        </Card>
        {admin && <RepositoryForm hosts={hosts} />}
        <PolicyForm defaultDestination={backupPaths().defaultDir} />
        <Card title={t("alerts")}>
          <p className="mb-3 text-sm text-slate-700">{t("alertsLead")}</p>
          {units.length === 0 ? (
            <p className="text-sm text-slate-600">{t("noUnit")}</p>
          ) : (
            <div className="space-y-3">
              {units.map((u) => (
                <UnitAlertsForm
                  key={u.id}
                  unit={{ id: u.id, label: `${u.code} · ${u.name}`, alertEmails: u.alertEmails }}
                />
              ))}
            </div>
          )}
        </Card>
      </div>
    </>
  );
}
