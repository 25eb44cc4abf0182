import { Archive } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { SizeChart } from "@/components/backups/size-chart";
import { BACKUP_TRIGGER, BackupStatusBadge, VerificationBadge } from "@/components/status/badges";
import { ButtonLink, Card, EmptyState, PageHeader, StatusBadge, Table, type Tone } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can, seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatAge, formatBytes, formatDateTime } from "@/lib/format";
import { findBackupStatus, type InstanceBackupStatus } from "@/lib/server/backups/backup-status";
import { findRecentBackups } from "@/lib/server/backups/find-backups";

export const metadata: Metadata = { title: "Backups" };

const VERDICT: Record<InstanceBackupStatus["verdict"], [Tone, string]> = {
  failing: ["error", "Failing"],
  never: ["error", "Never backed up"],
  stale: ["warning", "Stale"],
  ok: ["ok", "Up to date"],
};

/**
 * The backup status page: for each instance the viewer may see (a
 * correspondant CLE: their units'), is there a recent restore point, was it
 * proven by a test restore, how big is it growing, what failed lately.
 * Read-only; instances needing attention come first.
 */
export default async function BackupsPage() {
  const viewer = await requirePermission("fleet.read", "/backups");
  const at = now();
  const [statuses, recent] = await Promise.all([
    findBackupStatus(db(), viewer, at),
    findRecentBackups(db(), viewer, 20),
  ]);
  const attention = statuses.filter((s) => s.verdict !== "ok").length;
  return (
    <>
      <PageHeader
        title="Backups"
        description="Encrypted restore points of each instance, and whether each was proven by a test restore."
        actions={
          can(viewer.role, "backups.run") ? (
            <ButtonLink href="/backups/policies">Backup policies</ButtonLink>
          ) : undefined
        }
      />
      {statuses.length === 0 ? (
        <EmptyState icon={Archive} title="No instance to back up">
          {seesWholeFleet(viewer.role)
            ? "Adopt or deploy an instance first (Hosts → Discover, or Instances → Deploy); its backups are shown here."
            : "No instance of your units is in the panel yet. Ask the service informatique if you expected one."}
        </EmptyState>
      ) : (
        <div className="space-y-5">
          <p className="text-sm text-slate-700" role="status">
            {attention === 0
              ? `All ${statuses.length} instance(s) have a backup younger than ${statuses[0]!.maxAgeHours} hours.`
              : `${attention} of ${statuses.length} instance(s) need attention: listed first.`}
          </p>
          <div className="grid gap-5 xl:grid-cols-2">
            {statuses.map((s) => {
              const [tone, label] = VERDICT[s.verdict];
              return (
                <Card
                  key={s.instanceId}
                  title={`${s.name} · ${s.unit.code}`}
                  actions={<StatusBadge tone={tone} label={label} />}
                >
                  <div className="space-y-3 text-sm">
                    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                      <dt className="text-slate-500">Last good backup</dt>
                      <dd>
                        {s.lastSuccess
                          ? `${formatAge(s.lastSuccess.at, at)} (${formatDateTime(s.lastSuccess.at)}), ${formatBytes(s.lastSuccess.totalBytes)}`
                          : "never"}
                      </dd>
                      <dt className="text-slate-500">Last verification</dt>
                      <dd>
                        {s.lastVerification ? (
                          <span className="inline-flex flex-wrap items-center gap-2">
                            <VerificationBadge value={s.lastVerification.passed ? "passed" : "failed"} />
                            {formatAge(s.lastVerification.at, at)}
                            {s.lastVerification.reason && (
                              <span className="text-slate-700">{s.lastVerification.reason}</span>
                            )}
                          </span>
                        ) : (
                          "never verified"
                        )}
                      </dd>
                      <dt className="text-slate-500">Next scheduled run</dt>
                      <dd>
                        {s.nextRun
                          ? `${formatDateTime(s.nextRun)} (${s.schedule})`
                          : "no schedule: backups run on demand from the instance page"}
                      </dd>
                    </dl>
                    {s.sizes.length > 0 ? (
                      <SizeChart points={s.sizes} label={`Backup sizes of ${s.name} over time`} />
                    ) : (
                      <p className="text-slate-600">Sizes over time appear after the first successful backup.</p>
                    )}
                    {s.failures.length > 0 && (
                      <div>
                        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
                          Recent failures
                        </h3>
                        <ul className="mt-1 space-y-1">
                          {s.failures.map((f) => (
                            <li key={f.at.toISOString() + f.reason} className="text-slate-800">
                              <span className="text-slate-500">{formatDateTime(f.at)}</span> · {f.reason}
                            </li>
                          ))}
                        </ul>
                      </div>
                    )}
                    {seesWholeFleet(viewer.role) && (
                      <Link href={`/instances/${s.instanceId}`} className="text-sky-800 underline">
                        Open the instance
                      </Link>
                    )}
                  </div>
                </Card>
              );
            })}
          </div>
          {recent.length > 0 && (
            <Card title="Recent restore points">
              <Table
                caption="Recent backups"
                columns={["Taken", "Instance", "Unit", "Trigger", "Status", "Size", "Verification"]}
                rows={recent.map((b) => ({
                  key: b.id,
                  cells: [
                    formatDateTime(b.createdAt),
                    b.instance.name,
                    b.instance.unit.code,
                    BACKUP_TRIGGER[b.trigger],
                    <BackupStatusBadge key="s" value={b.status} />,
                    formatBytes(b.totalBytes),
                    <VerificationBadge key="v" value={b.verificationStatus} />,
                  ],
                }))}
              />
            </Card>
          )}
        </div>
      )}
    </>
  );
}
