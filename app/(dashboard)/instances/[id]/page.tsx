import { ArrowUpCircle } from "lucide-react";
import type { Metadata } from "next";
import { useLocale, useTranslations } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { HealthBadge } from "@/components/fleet/fleet-table";
import { ApiKeyForm, CheckUpdatesButton, ObserveButton } from "@/components/instances/instance-controls";
import { LiveLogs } from "@/components/instances/live-logs";
import { InstanceStateBadge } from "@/components/status/badges";
import { Alert, Card, PageHeader, Stat, StatusBadge, Table, Facts } from "@/components/ui";
import { auditOutOfScope, requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatAge, formatBytes, formatDateTime } from "@/lib/format";
import { findInstance } from "@/lib/server/instances/find-instances";
import { findInstanceBackups } from "@/lib/server/backups/find-backups";
import { BackupNowButton, RestoreButton, VerifyButton } from "@/components/backups/backup-controls";
import { PolicySelect } from "@/components/backups/policy-form";
import { findPolicies } from "@/lib/server/backups/policies";
import { BackupStatusBadge, VerificationBadge } from "@/components/status/badges";
import { readObservation, type Observation } from "@/lib/server/instances/observe";
import { readTagCache } from "@/lib/server/registry/tag-cache";
import { updatesFor } from "@/lib/server/registry/versions";
import { UpgradeButton, type UpgradeChoice } from "@/components/instances/upgrade-button";
import { upgradeChoices } from "@/lib/server/upgrades/plan";
import { mysqlImageOf } from "@/lib/server/upgrades/mysql-move";
import { MysqlMoveButton } from "@/components/instances/mysql-move-button";
import { RemoveInstanceButton, RereadCredentialsButton } from "@/components/instances/repair-buttons";
import { localizeServerText } from "@/lib/i18n/server-messages";
import { englishText } from "@/lib/i18n/message";
import { backupFailureReason, verificationFailureReason } from "@/lib/server/backups/backup-status";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("instance"))("metaTitle") };
}

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("fleet.read", `/instances/${id}`);
  const instance = await findInstance(db(), viewer, id);
  if (!instance) {
    await auditOutOfScope(viewer, { type: "instance", id });
    notFound();
  }
  const at = now();
  const t = await getTranslations("instance");
  const tb = await getTranslations("backups");
  const locale = await getLocale();
  const age = (d: Date) => formatAge(d, at, locale);
  const when = (d: Date | null | undefined) => formatDateTime(d, locale);
  const size = (b: bigint | number | null | undefined) => formatBytes(b, locale);
  const observation = readObservation(instance.observation);
  const tags = (await readTagCache(db()))[instance.imageRepository];
  const version = instance.elabftwVersion ?? (/^\d+\.\d+\.\d+$/.test(instance.imageTag) ? instance.imageTag : null);
  const updates = tags ? updatesFor(version, tags.tags) : null;
  const inspect = can(viewer.role, "instances.inspect");
  // Every newer release the registry offers; preselected: the newest patch of this line, else the newest the panel can move to.
  const choices: UpgradeChoice[] =
    can(viewer.role, "instances.upgrade") && !instance.activeOperationId && tags
      ? upgradeChoices(version, tags.tags).map((c) => ({
          ...c,
          layout: c.layout
            ? {
                containerPort: c.layout.containerPort,
                uploads: c.layout.uploads,
                runsAs: c.layout.runsAs,
                removedEnv: [...c.layout.removedEnv],
              }
            : null,
        }))
      : [];
  // A move to another container layout (6.0) is offered, never preselected.
  const upgradeTo =
    choices.length === 0 ? null : (updates?.newestPatch ?? choices.find((c) => !c.layout)?.to ?? choices[0]!.to);
  const lastBackup = instance.backups[0];
  // A database container still on MySQL 8.0 (the reference compose file runs 8.4 from 5.3.0) can be moved.
  const databaseImage = instance.databasePlacement === "container" ? (observation?.database?.image ?? null) : null;
  const mysqlMove =
    databaseImage &&
    mysqlImageOf(databaseImage)?.series === "8.0" &&
    can(viewer.role, "instances.upgrade") &&
    !instance.activeOperationId
      ? databaseImage
      : null;
  const backups = await findInstanceBackups(db(), instance.id);
  const runBackups = can(viewer.role, "backups.run");
  const restore = can(viewer.role, "backups.restore");
  const policies = runBackups ? await findPolicies(db()) : [];
  const manageInstance = can(viewer.role, "instances.manage");
  const removeInstance = can(viewer.role, "instances.delete");
  const tr = await getTranslations("repair");
  return (
    <>
      <PageHeader
        title={instance.name}
        description={
          <>
            {instance.unit.code} · {instance.unit.name} ·{" "}
            <a href={instance.siteUrl} className="text-sky-800 underline" rel="noreferrer" target="_blank">
              {instance.siteUrl}
            </a>
          </>
        }
        actions={
          inspect && (
            <ObserveButton
              instanceId={instance.id}
              auto={!instance.observedAt || at.getTime() - instance.observedAt.getTime() > 60_000}
            />
          )
        }
      />
      <div className="space-y-5">
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <InstanceStateBadge value={instance.state} />
          <HealthBadge value={instance.health} />
          <span>{instance.observedAt ? t("checked", { age: age(instance.observedAt) }) : t("neverChecked")}</span>
        </div>
        {observation && observation.problems.length > 0 && (
          <Alert tone="warning" title={t("problems")}>
            <ul className="list-disc pl-4">
              {observation.problems.map((p) => (
                <li key={englishText(p)}>{localizeServerText(p, locale)}</li>
              ))}
            </ul>
          </Alert>
        )}
        <div className="grid gap-5 lg:grid-cols-2">
          <Card title={t("version")}>
            <Facts
              items={[
                [t("fact.elabftw"), version ?? t("unknown")],
                [t("fact.image"), <code key="i">{`${instance.imageRepository}:${instance.imageTag}`}</code>],
                [
                  t("fact.schema"),
                  observation && "current" in observation.schema
                    ? localizeServerText(observation.schema.detail, locale)
                    : localizeServerText(observation?.schema.detail ?? "", locale) ||
                      (instance.schemaVersion ? t("schemaN", { n: instance.schemaVersion }) : t("unknown")),
                ],
                [
                  t("fact.updates"),
                  !tags ? (
                    t("notChecked")
                  ) : updates?.newest || updates?.newestPatch ? (
                    <span key="u" className="inline-flex flex-col gap-0.5">
                      {updates.newest && (
                        <span className="inline-flex items-center gap-1 text-sky-900">
                          <ArrowUpCircle aria-hidden className="size-4" />
                          {t("newest", { version: updates.newest })}
                        </span>
                      )}
                      {updates.newestPatch && updates.newestPatch !== updates.newest && (
                        <span>
                          {t("newestPatch", {
                            version: updates.newestPatch,
                            line: version?.split(".").slice(0, 2).join(".") ?? "?",
                          })}
                        </span>
                      )}
                      <span className="text-xs text-slate-500">
                        {t("registryChecked", { age: age(new Date(tags.fetchedAt)) })}
                      </span>
                    </span>
                  ) : (
                    <span key="u">
                      {t("upToDate")}{" "}
                      <span className="text-xs text-slate-500">
                        {t("upToDateChecked", { age: age(new Date(tags.fetchedAt)) })}
                      </span>
                    </span>
                  ),
                ],
                ...(tags?.error
                  ? ([
                      [
                        t("fact.registry"),
                        <span key="e" className="text-red-800">
                          {tags.error}
                        </span>,
                      ],
                    ] as [string, React.ReactNode][])
                  : []),
              ]}
            />
            {(can(viewer.role, "instances.manage") || upgradeTo) && (
              <div className="mt-3 flex flex-wrap items-start gap-2">
                {upgradeTo && version && (
                  <UpgradeButton
                    instanceId={instance.id}
                    instanceName={instance.name}
                    from={version}
                    choices={choices}
                    initial={upgradeTo}
                    backupEstimate={
                      lastBackup?.totalBytes ? t("backupEstimate", { size: size(Number(lastBackup.totalBytes)) }) : null
                    }
                  />
                )}
                {can(viewer.role, "instances.manage") && <CheckUpdatesButton instanceId={instance.id} />}
              </div>
            )}
          </Card>
          <Card title={t("layout")}>
            <Facts
              items={[
                [
                  t("fact.web"),
                  <span key="w">
                    {t("webOn", { container: instance.webContainerName })}{" "}
                    <Link href={`/hosts/${instance.webHost.id}`} className="text-sky-800 underline">
                      {instance.webHost.name}
                    </Link>
                  </span>,
                ],
                [
                  t("fact.database"),
                  instance.databasePlacement === "container"
                    ? t("dbContainer", {
                        container: instance.databaseContainerName ?? "?",
                        host: instance.databaseHost?.name ?? "?",
                        name: instance.databaseName,
                      })
                    : t("dbExternal", {
                        address: instance.databaseAddress ?? "?",
                        port: instance.databasePort,
                        name: instance.databaseName,
                      }),
                ],
                [t("fact.dbTls"), instance.databaseTls ? t("dbTlsYes") : t("no")],
                [
                  t("fact.uploads"),
                  `${t(instance.uploadsKind === "bind" ? "uploadsDir" : "uploadsVolume", { source: instance.uploadsSource || "—" })}${observation?.uploadsBytes != null ? `, ${size(observation.uploadsBytes)}` : ""}`,
                ],
                [
                  t("fact.compose"),
                  instance.composeProject
                    ? `${instance.composeProject}${instance.composeConfigFiles ? ` (${instance.composeConfigFiles})` : ""}`
                    : t("noCompose"),
                ],
                [
                  t("fact.lastBackup"),
                  lastBackup?.finishedAt ? (
                    `${age(lastBackup.finishedAt)} (${when(lastBackup.finishedAt)})`
                  ) : (
                    <StatusBadge key="b" tone="warning" label={t("never")} />
                  ),
                ],
              ]}
            />
            {mysqlMove && (
              <div className="mt-3">
                <MysqlMoveButton
                  instanceId={instance.id}
                  instanceName={instance.name}
                  image={mysqlMove}
                  backupEstimate={
                    lastBackup?.totalBytes ? t("backupEstimate", { size: size(Number(lastBackup.totalBytes)) }) : null
                  }
                />
              </div>
            )}
          </Card>
        </div>
        <Card title={t("backups")} actions={runBackups ? <BackupNowButton instanceId={instance.id} /> : undefined}>
          {runBackups && (
            <div className="mb-4">
              <PolicySelect
                instanceId={instance.id}
                current={instance.backupPolicyId}
                policies={policies.map((p) => ({
                  id: p.id,
                  label: t("policyLabel", {
                    name: p.name,
                    schedule: p.schedule,
                    days: p.retentionDays,
                    keep: p.keepLast,
                  }),
                }))}
              />
            </div>
          )}
          {backups.length === 0 ? (
            <p className="text-sm text-slate-600">
              {t("noBackup")}
              {runBackups ? ` ${t("noBackupHint")}` : ""}
            </p>
          ) : (
            <Table
              caption={t("restorePoints")}
              columns={(
                [
                  "taken",
                  "trigger",
                  "status",
                  "where",
                  "database",
                  "uploads",
                  "schema",
                  "verification",
                  "actions",
                ] as const
              ).map((c) => t(`col.${c}`))}
              rows={backups.map((b) => {
                const reason =
                  b.status === "failed"
                    ? backupFailureReason(b)
                    : b.verificationStatus === "failed"
                      ? verificationFailureReason(b.verificationDetails)
                      : null;
                return {
                  key: b.id,
                  cells: [
                    b.operationId ? (
                      <Link key="t" href={`/operations/${b.operationId}`} className="text-sky-800 underline">
                        {when(b.createdAt)}
                      </Link>
                    ) : (
                      when(b.createdAt)
                    ),
                    tb(`trigger.${b.trigger}`),
                    <BackupStatusBadge key="s" value={b.status} />,
                    b.repository
                      ? b.offsiteRepository && b.offsiteCopiedAt
                        ? t("whereBoth", { repository: b.repository.name, offsite: b.offsiteRepository.name })
                        : t("whereRepository", { repository: b.repository.name })
                      : t("whereFiles"),
                    b.databaseBytes !== null ? size(b.databaseBytes) : "—",
                    b.uploadsBytes !== null
                      ? t("files", { size: size(b.uploadsBytes), count: b.uploadsFileCount ?? 0 })
                      : "—",
                    b.schemaVersion ?? "—",
                    <span key="v" className="flex flex-col gap-1">
                      <VerificationBadge value={b.verificationStatus} />
                      {reason && <span className="text-xs text-slate-700">{localizeServerText(reason, locale)}</span>}
                    </span>,
                    runBackups && b.status === "succeeded" ? (
                      <span key="a" className="flex justify-end gap-2">
                        <VerifyButton backupId={b.id} />
                        {restore && b.verificationStatus !== "failed" && (
                          <RestoreButton
                            backupId={b.id}
                            instanceName={instance.name}
                            summary={t("restoreSummary", {
                              at: when(b.createdAt),
                              version: b.elabftwVersion ?? "?",
                              schema: b.schemaVersion ?? "?",
                              db: size(b.databaseBytes),
                              uploads: size(b.uploadsBytes),
                              count: b.uploadsFileCount ?? 0,
                            })}
                          />
                        )}
                      </span>
                    ) : (
                      ""
                    ),
                  ],
                };
              })}
            />
          )}
        </Card>
        <Card title={t("usage")}>
          <UsageFigures
            usage={observation?.usage ?? { configured: false }}
            manage={can(viewer.role, "instances.manage") ? instance.id : null}
          />
        </Card>
        <Card
          title={
            observation?.compliance
              ? t("complianceTitle", {
                  passed: observation.compliance.score.passed,
                  decided: observation.compliance.score.decided,
                })
              : t("compliance")
          }
        >
          {!observation?.compliance ? (
            <p className="text-sm text-slate-600">{inspect ? t("notCheckedYetUse") : t("notCheckedYet")}</p>
          ) : (
            <Table
              caption={t("complianceCaption")}
              columns={[t("col.check"), t("col.result"), t("col.why")]}
              rows={observation.compliance.checks.map((c) => ({
                key: c.id,
                cells: [
                  localizeServerText(c.title, locale),
                  <StatusBadge
                    key="v"
                    tone={c.verdict === "pass" ? "ok" : c.verdict === "fail" ? "error" : "neutral"}
                    label={t(
                      c.verdict === "pass" ? "verdict.pass" : c.verdict === "fail" ? "verdict.fail" : "verdict.unknown",
                    )}
                  />,
                  <span key="r" className="text-slate-700">
                    {localizeServerText(c.reason, locale)}
                  </span>,
                ],
              }))}
            />
          )}
        </Card>
        <Card title={t("containers")}>
          {!observation || (!observation.web && !observation.database) ? (
            <p className="text-sm text-slate-600">{inspect ? t("notCheckedYetUse") : t("notCheckedYet")}</p>
          ) : (
            <Table
              caption={t("containers")}
              columns={(["role", "container", "host", "state", "health", "restart", "image", "started"] as const).map(
                (c) => t(`col.${c}`),
              )}
              rows={(
                [
                  [t("role.web"), observation.web],
                  [t("role.database"), observation.database],
                ] as const
              )
                .filter(([, c]) => c)
                .map(([role, c]) => ({
                  key: role,
                  cells: [
                    role,
                    c!.name,
                    c!.host,
                    <StatusBadge key="s" tone={c!.running ? "ok" : "error"} label={c!.state} />,
                    c!.health === "none" ? t("noHealthcheck") : c!.health,
                    c!.restartPolicy,
                    <code key="i" className="text-xs">
                      {c!.image}
                    </code>,
                    c!.startedAt ? when(new Date(c!.startedAt)) : "—",
                  ],
                }))}
            />
          )}
        </Card>
        {inspect && <LiveLogs instanceId={instance.id} hasDatabase={instance.databasePlacement === "container"} />}
        {(manageInstance || removeInstance) && (
          <Card title={tr("title")}>
            <p className="mb-3 text-sm text-slate-600">{tr("intro")}</p>
            <div className="flex flex-wrap items-start gap-3">
              {manageInstance && <RereadCredentialsButton instanceId={instance.id} name={instance.name} />}
              {removeInstance && (
                <RemoveInstanceButton
                  instanceId={instance.id}
                  name={instance.name}
                  busy={!!instance.activeOperationId}
                />
              )}
            </div>
            {instance.activeOperationId && <p className="mt-2 text-sm text-slate-600">{tr("busy")}</p>}
          </Card>
        )}
      </div>
    </>
  );
}

/** Users, experiments, items and storage from eLabFTW's /api/v2/info (needs an API key). */
function UsageFigures({ usage, manage }: { usage: Observation["usage"]; manage: string | null }) {
  const t = useTranslations("usage");
  const locale = useLocale();
  if (!usage.configured) {
    return (
      <div className="space-y-3 text-sm text-slate-700">
        <p>
          {t("noKey")} {manage ? t("setBelow") : t("askIt")}
        </p>
        {manage && <ApiKeyForm instanceId={manage} configured={false} />}
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {usage.error && (
        <Alert tone="warning" title={t("error")}>
          {usage.error}
        </Alert>
      )}
      {usage.usage && (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
          <Stat label={t("users")} value={usage.usage.users} detail={t("active", { count: usage.usage.activeUsers })} />
          <Stat label={t("teams")} value={usage.usage.teams} />
          <Stat
            label={t("experiments")}
            value={usage.usage.experiments}
            detail={t("timestamped", { count: usage.usage.timestampedExperiments })}
          />
          <Stat label={t("items")} value={usage.usage.items} />
          <Stat
            label={t("uploads")}
            value={usage.usage.uploadsBytes === null ? "—" : formatBytes(usage.usage.uploadsBytes, locale)}
            detail={usage.usage.uploadsBytes === null ? t("from510") : undefined}
          />
        </div>
      )}
      {manage && <ApiKeyForm instanceId={manage} configured />}
    </div>
  );
}
