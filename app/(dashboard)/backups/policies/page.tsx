import type { Metadata } from "next";
import { PolicyForm } from "@/components/backups/policy-form";
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
      </div>
    </>
  );
}
