import { Archive } from "lucide-react";
import type { Metadata } from "next";
import { requirePermission } from "@/lib/auth/authorize";
import { BackupStatusBadge, VerificationBadge } from "@/components/status/badges";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatBytes, formatDateTime } from "@/lib/format";
import { findRecentBackups } from "@/lib/server/backups/find-backups";

export const metadata: Metadata = { title: "Backups" };

const TRIGGER = {
  scheduled: "Scheduled",
  manual: "On demand",
  pre_upgrade: "Before upgrade",
  pre_restore: "Before restore",
} as const;

export default async function BackupsPage() {
  const viewer = await requirePermission("fleet.read", "/backups");
  const backups = await findRecentBackups(db(), viewer);
  return (
    <>
      <PageHeader
        title="Backups"
        description="Encrypted restore points of every instance, and whether each was proven by a test restore."
      />
      {backups.length === 0 ? (
        <EmptyState icon={Archive} title="No backup taken yet">
          Scheduled, on-demand and pre-upgrade backups of adopted instances are listed here with their verification
          result. Backups arrive with the backup feature, after the inventory.
        </EmptyState>
      ) : (
        <Table
          caption="Recent backups"
          columns={["Taken", "Instance", "Unit", "Trigger", "Status", "Size", "Verification"]}
          rows={backups.map((b) => ({
            key: b.id,
            cells: [
              formatDateTime(b.createdAt),
              b.instance.name,
              b.instance.unit.code,
              TRIGGER[b.trigger],
              <BackupStatusBadge key="s" value={b.status} />,
              formatBytes(b.totalBytes),
              <VerificationBadge key="v" value={b.verificationStatus} />,
            ],
          }))}
        />
      )}
    </>
  );
}
