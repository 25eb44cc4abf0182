import type { Metadata } from "next";
import { PolicyForm, UnitAlertsForm } from "@/components/backups/policy-form";
import { Card, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { backupPaths } from "@/lib/env";
import { formatDateTime } from "@/lib/format";
import { nextRunOf } from "@/lib/server/backups/backup-status";
import { findPolicies } from "@/lib/server/backups/policies";

export const metadata: Metadata = { title: "Backup policies" };

export default async function PoliciesPage() {
  await requirePermission("backups.run", "/backups/policies");
  const policies = await findPolicies(db());
  const units = await db().unit.findMany({
    orderBy: { code: "asc" },
    select: { id: true, code: true, name: true, alertEmails: true },
  });
  const at = now();
  return (
    <>
      <PageHeader
        title="Backup policies"
        description="When instances are backed up, where the restore points go, how long they are kept, and who else can open them."
      />
      <div className="space-y-5">
        <Card title="Policies">
          {policies.length === 0 ? (
            <p className="text-sm text-slate-600">
              No policy yet: instances are backed up on demand only. Create one below, then assign it from each
              instance&apos;s page.
            </p>
          ) : (
            <Table
              caption="Backup policies"
              columns={["Name", "Schedule", "Next run", "Kept", "Destination", "Extra keys", "Verify", "Instances"]}
              rows={policies.map((p) => ({
                key: p.id,
                cells: [
                  p.name,
                  <code key="s" className="text-xs">
                    {p.schedule} ({p.timezone})
                  </code>,
                  formatDateTime(nextRunOf(p.schedule, p.timezone, at)),
                  `${p.retentionDays} days, at least ${p.keepLast}`,
                  <code key="d" className="text-xs">
                    {p.destinationDir}
                  </code>,
                  p.extraRecipients.length,
                  p.verifyAfterBackup ? "after each backup" : "on demand",
                  p._count.instances,
                ],
              }))}
            />
          )}
        </Card>
        <PolicyForm defaultDestination={backupPaths().defaultDir} />
        <Card title="Alert addresses">
          <p className="mb-3 text-sm text-slate-700">
            When an instance&apos;s backups fail or go stale, its unit&apos;s correspondants and the operators are
            mailed (with PANEL_SMTP_URL set); add here the other addresses of each unit, one per line.
          </p>
          {units.length === 0 ? (
            <p className="text-sm text-slate-600">
              No unit yet: units are created when instances are adopted or deployed.
            </p>
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
