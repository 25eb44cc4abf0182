import { ArrowUpCircle } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { HealthBadge } from "@/components/fleet/fleet-table";
import { ApiKeyForm, CheckUpdatesButton, ObserveButton } from "@/components/instances/instance-controls";
import { LiveLogs } from "@/components/instances/live-logs";
import { InstanceStateBadge } from "@/components/status/badges";
import { Alert, Card, PageHeader, Stat, StatusBadge, Table, Facts } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatAge, formatBytes, formatDateTime } from "@/lib/format";
import { findInstance } from "@/lib/server/instances/find-instances";
import { findInstanceBackups } from "@/lib/server/backups/find-backups";
import { BackupNowButton, RestoreButton, VerifyButton } from "@/components/backups/backup-controls";
import { PolicySelect } from "@/components/backups/policy-form";
import { findPolicies } from "@/lib/server/backups/policies";
import { BACKUP_TRIGGER, BackupStatusBadge, VerificationBadge } from "@/components/status/badges";
import type { Observation } from "@/lib/server/instances/observe";
import { readTagCache } from "@/lib/server/registry/tag-cache";
import { updatesFor } from "@/lib/server/registry/versions";
import { releaseNotesUrl } from "@/lib/server/upgrades/upgrade";
import { UpgradeButton } from "@/components/instances/upgrade-button";

export const metadata: Metadata = { title: "Instance" };

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("fleet.read", `/instances/${id}`);
  const instance = await findInstance(db(), viewer, id);
  if (!instance) notFound();
  const at = now();
  const observation = instance.observation as unknown as Observation | null;
  const tags = (await readTagCache(db()))[instance.imageRepository];
  const version = instance.elabftwVersion ?? (/^\d+\.\d+\.\d+$/.test(instance.imageTag) ? instance.imageTag : null);
  const updates = tags ? updatesFor(version, tags.tags) : null;
  const inspect = can(viewer.role, "instances.inspect");
  // One click to the newest patch of this line, else to the newest release.
  const upgradeTo =
    can(viewer.role, "instances.upgrade") && !instance.activeOperationId
      ? (updates?.newestPatch ?? updates?.newest ?? null)
      : null;
  const lastBackup = instance.backups[0];
  const backups = await findInstanceBackups(db(), instance.id);
  const runBackups = can(viewer.role, "backups.run");
  const restore = can(viewer.role, "backups.restore");
  const policies = runBackups ? await findPolicies(db()) : [];
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
          <span>{instance.observedAt ? `checked ${formatAge(instance.observedAt, at)}` : "never checked"}</span>
        </div>
        {observation && observation.problems.length > 0 && (
          <Alert tone="warning" title="What the last check found">
            <ul className="list-disc pl-4">
              {observation.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Alert>
        )}
        <div className="grid gap-5 lg:grid-cols-2">
          <Card title="Version">
            <Facts
              items={[
                ["eLabFTW", version ?? "unknown"],
                ["Image", <code key="i">{`${instance.imageRepository}:${instance.imageTag}`}</code>],
                [
                  "Schema",
                  observation && "current" in observation.schema
                    ? observation.schema.detail
                    : (observation?.schema.detail ??
                      (instance.schemaVersion ? `schema ${instance.schemaVersion}` : "unknown")),
                ],
                [
                  "Updates",
                  !tags ? (
                    "not checked yet"
                  ) : updates?.newest || updates?.newestPatch ? (
                    <span key="u" className="inline-flex flex-col gap-0.5">
                      {updates.newest && (
                        <span className="inline-flex items-center gap-1 text-sky-900">
                          <ArrowUpCircle aria-hidden className="size-4" />
                          {updates.newest} available (newest)
                        </span>
                      )}
                      {updates.newestPatch && updates.newestPatch !== updates.newest && (
                        <span>
                          {updates.newestPatch} (newest patch of {version?.split(".").slice(0, 2).join(".")})
                        </span>
                      )}
                      <span className="text-xs text-slate-500">
                        registry checked {formatAge(new Date(tags.fetchedAt), at)}
                      </span>
                    </span>
                  ) : (
                    <span key="u">
                      up to date{" "}
                      <span className="text-xs text-slate-500">
                        (registry checked {formatAge(new Date(tags.fetchedAt), at)})
                      </span>
                    </span>
                  ),
                ],
                ...(tags?.error
                  ? ([
                      [
                        "Registry",
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
                    to={upgradeTo}
                    backupEstimate={
                      lastBackup?.totalBytes
                        ? `about ${formatBytes(Number(lastBackup.totalBytes))}, as the last one`
                        : null
                    }
                    releaseNotes={releaseNotesUrl(upgradeTo)}
                  />
                )}
                {can(viewer.role, "instances.manage") && <CheckUpdatesButton instanceId={instance.id} />}
              </div>
            )}
          </Card>
          <Card title="Layout">
            <Facts
              items={[
                [
                  "Web",
                  <span key="w">
                    {instance.webContainerName} on{" "}
                    <Link href={`/hosts/${instance.webHost.id}`} className="text-sky-800 underline">
                      {instance.webHost.name}
                    </Link>
                  </span>,
                ],
                [
                  "Database",
                  instance.databasePlacement === "container"
                    ? `${instance.databaseContainerName} on ${instance.databaseHost?.name ?? "?"}, database ${instance.databaseName}`
                    : `external server ${instance.databaseAddress}:${instance.databasePort}, database ${instance.databaseName}`,
                ],
                ["Database TLS", instance.databaseTls ? "yes (DB_CERT_PATH set)" : "no"],
                [
                  "Uploads",
                  `${instance.uploadsKind === "bind" ? "directory" : "volume"} ${instance.uploadsSource || "—"}${observation?.uploadsBytes != null ? `, ${formatBytes(observation.uploadsBytes)}` : ""}`,
                ],
                [
                  "Compose",
                  instance.composeProject
                    ? `${instance.composeProject}${instance.composeConfigFiles ? ` (${instance.composeConfigFiles})` : ""}`
                    : "not managed by compose",
                ],
                [
                  "Last backup",
                  lastBackup?.finishedAt ? (
                    `${formatAge(lastBackup.finishedAt, at)} (${formatDateTime(lastBackup.finishedAt)})`
                  ) : (
                    <StatusBadge key="b" tone="warning" label="Never" />
                  ),
                ],
              ]}
            />
          </Card>
        </div>
        <Card title="Backups" actions={runBackups ? <BackupNowButton instanceId={instance.id} /> : undefined}>
          {runBackups && (
            <div className="mb-4">
              <PolicySelect
                instanceId={instance.id}
                current={instance.backupPolicyId}
                policies={policies.map((p) => ({
                  id: p.id,
                  label: `${p.name} (${p.schedule}, ${p.retentionDays} days, at least ${p.keepLast})`,
                }))}
              />
            </div>
          )}
          {backups.length === 0 ? (
            <p className="text-sm text-slate-600">
              No backup yet.
              {runBackups ? " “Back up now” writes an encrypted restore point and proves it by a test restore." : ""}
            </p>
          ) : (
            <Table
              caption="Restore points"
              columns={["Taken", "Trigger", "Status", "Database", "Uploads", "Schema", "Verification", ""]}
              rows={backups.map((b) => {
                const reason =
                  b.status === "failed"
                    ? b.error
                    : b.verificationStatus === "failed"
                      ? ((b.verificationDetails as { reason?: string } | null)?.reason ?? null)
                      : null;
                return {
                  key: b.id,
                  cells: [
                    b.operationId ? (
                      <Link key="t" href={`/operations/${b.operationId}`} className="text-sky-800 underline">
                        {formatDateTime(b.createdAt)}
                      </Link>
                    ) : (
                      formatDateTime(b.createdAt)
                    ),
                    BACKUP_TRIGGER[b.trigger],
                    <BackupStatusBadge key="s" value={b.status} />,
                    b.databaseBytes !== null ? formatBytes(b.databaseBytes) : "—",
                    b.uploadsBytes !== null ? `${formatBytes(b.uploadsBytes)} · ${b.uploadsFileCount ?? 0} files` : "—",
                    b.schemaVersion ?? "—",
                    <span key="v" className="flex flex-col gap-1">
                      <VerificationBadge value={b.verificationStatus} />
                      {reason && <span className="text-xs text-slate-700">{reason}</span>}
                    </span>,
                    runBackups && b.status === "succeeded" ? (
                      <span key="a" className="flex justify-end gap-2">
                        <VerifyButton backupId={b.id} />
                        {restore && b.verificationStatus !== "failed" && (
                          <RestoreButton
                            backupId={b.id}
                            instanceName={instance.name}
                            summary={`${formatDateTime(b.createdAt)} · eLabFTW ${b.elabftwVersion ?? "?"} · schema ${b.schemaVersion ?? "?"} · database ${formatBytes(b.databaseBytes)} · uploads ${formatBytes(b.uploadsBytes)} (${b.uploadsFileCount ?? 0} files)`}
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
        <Card title="Usage">
          <UsageFigures
            usage={observation?.usage ?? { configured: false }}
            manage={can(viewer.role, "instances.manage") ? instance.id : null}
          />
        </Card>
        <Card
          title={
            observation?.compliance
              ? `CNRS compliance: ${observation.compliance.score.passed} of ${observation.compliance.score.decided} checks pass`
              : "CNRS compliance"
          }
        >
          {!observation?.compliance ? (
            <p className="text-sm text-slate-600">Not checked yet{inspect ? ": use “Check now”." : "."}</p>
          ) : (
            <Table
              caption="CNRS compliance checks"
              columns={["Check", "Result", "Why"]}
              rows={observation.compliance.checks.map((c) => ({
                key: c.id,
                cells: [
                  c.title,
                  <StatusBadge
                    key="v"
                    tone={c.verdict === "pass" ? "ok" : c.verdict === "fail" ? "error" : "neutral"}
                    label={c.verdict === "pass" ? "Pass" : c.verdict === "fail" ? "Fail" : "Unknown"}
                  />,
                  <span key="r" className="text-slate-700">
                    {c.reason}
                  </span>,
                ],
              }))}
            />
          )}
        </Card>
        <Card title="Containers">
          {!observation || (!observation.web && !observation.database) ? (
            <p className="text-sm text-slate-600">Not checked yet{inspect ? ": use “Check now”." : "."}</p>
          ) : (
            <Table
              caption="Containers"
              columns={["Role", "Container", "Host", "State", "Docker health", "Restart policy", "Image", "Started"]}
              rows={(
                [
                  ["Web", observation.web],
                  ["Database", observation.database],
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
                    c!.health === "none" ? "no healthcheck" : c!.health,
                    c!.restartPolicy,
                    <code key="i" className="text-xs">
                      {c!.image}
                    </code>,
                    c!.startedAt ? formatDateTime(new Date(c!.startedAt)) : "—",
                  ],
                }))}
            />
          )}
        </Card>
        {inspect && <LiveLogs instanceId={instance.id} hasDatabase={instance.databasePlacement === "container"} />}
      </div>
    </>
  );
}

/** Users, experiments, items and storage from eLabFTW's /api/v2/info (needs an API key). */
function UsageFigures({ usage, manage }: { usage: Observation["usage"]; manage: string | null }) {
  if (!usage.configured) {
    return (
      <div className="space-y-3 text-sm text-slate-700">
        <p>
          No eLabFTW API key is set for this instance, so the panel cannot count its users, experiments, items and
          stored files.{manage ? " Set a read-only key below." : " Ask the service informatique to set one."}
        </p>
        {manage && <ApiKeyForm instanceId={manage} configured={false} />}
      </div>
    );
  }
  return (
    <div className="space-y-3">
      {usage.error && (
        <Alert tone="warning" title="Usage figures could not be read">
          {usage.error}
        </Alert>
      )}
      {usage.usage && (
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
          <Stat label="Users" value={usage.usage.users} detail={`${usage.usage.activeUsers} active`} />
          <Stat label="Teams" value={usage.usage.teams} />
          <Stat
            label="Experiments"
            value={usage.usage.experiments}
            detail={`${usage.usage.timestampedExperiments} timestamped`}
          />
          <Stat label="Items" value={usage.usage.items} />
          <Stat
            label="Uploaded files"
            value={usage.usage.uploadsBytes === null ? "—" : formatBytes(usage.usage.uploadsBytes)}
            detail={usage.usage.uploadsBytes === null ? "reported from eLabFTW 5.1.0" : undefined}
          />
        </div>
      )}
      {manage && <ApiKeyForm instanceId={manage} configured />}
    </div>
  );
}
