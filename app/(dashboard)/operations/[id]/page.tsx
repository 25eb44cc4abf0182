import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/components/operations/live-refresh";
import { OperationStateBadge } from "@/components/status/badges";
import { Alert, Card, Facts, PageHeader, StatusBadge, Table, type Tone } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { formatDateTime, formatTime } from "@/lib/format";
import { isUuid } from "@/lib/server/ids";
import { findOperation } from "@/lib/server/operations/find-operations";

export const metadata: Metadata = { title: "Operation" };

const STEP: Record<string, [Tone, string]> = {
  pending: ["neutral", "Waiting"],
  running: ["busy", "Running"],
  succeeded: ["ok", "Done"],
  failed: ["error", "Failed"],
  skipped: ["neutral", "Skipped"],
  compensated: ["warning", "Undone"],
};

const KIND = {
  deploy: "Deploy",
  upgrade: "Upgrade",
  backup: "Backup",
  restore: "Restore",
  verify: "Verification",
} as const;

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("operations.read", `/operations/${id}`);
  const operation = isUuid(id) ? await findOperation(db(), viewer, id) : null;
  if (!operation) notFound();
  const active = ["queued", "running", "rolling_back"].includes(operation.state);
  const planned = (operation.params ?? {}) as { name?: unknown };
  const subject = operation.instance?.name ?? (typeof planned.name === "string" ? planned.name : null);
  const title = `${KIND[operation.kind]}${subject ? ` of ${subject}` : ""}`;
  const registered =
    operation.kind === "deploy" && operation.state === "succeeded"
      ? ((operation.result as { register?: { registerUrl?: string } } | null)?.register?.registerUrl ?? null)
      : null;
  const upgraded =
    operation.kind === "upgrade" && operation.state === "succeeded"
      ? ((
          operation.result as {
            commit?: { downtimeMs: number; backupId: string; version: string; schema: number };
          } | null
        )?.commit ?? null)
      : null;
  const upgradeBackup =
    operation.kind === "upgrade"
      ? ((operation.result as { backup?: { backupId?: string } } | null)?.backup?.backupId ?? null)
      : null;
  return (
    <>
      <LiveRefresh active={active} />
      <PageHeader title={title} description={`Requested by ${operation.requestedBy?.email ?? "the system"}`} />
      <div className="space-y-5">
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-700">
          <OperationStateBadge value={operation.state} />
          {operation.currentStep && active && <span>{operation.currentStep}</span>}
        </div>
        {operation.progress !== null && (
          <div>
            <progress
              value={operation.progress}
              max={100}
              aria-label="Progress"
              className="h-2 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-sky-700"
            />
            <div className="mt-1 text-xs text-slate-600">{operation.progress} %</div>
          </div>
        )}
        {registered && operation.instance && (
          <Alert tone="success" title="The instance is running">
            Open{" "}
            <a href={registered} className="font-medium underline" target="_blank" rel="noreferrer">
              {registered}
            </a>{" "}
            and register the first account: it becomes the instance&apos;s sysadmin. Then see{" "}
            <Link href={`/instances/${operation.instance.id}`} className="font-medium underline">
              {operation.instance.name}
            </Link>{" "}
            in the inventory.
          </Alert>
        )}
        {upgraded && operation.instance && (
          <Alert tone="success" title={`Upgraded to ${upgraded.version}`}>
            {operation.instance.name} answers on {upgraded.version}, schema {upgraded.schema}. Downtime:{" "}
            {(upgraded.downtimeMs / 1000).toFixed(1)} s (from the stop to the first healthy answer). The backup taken
            before the upgrade is on{" "}
            <Link href={`/instances/${operation.instance.id}`} className="font-medium underline">
              the instance&apos;s page
            </Link>{" "}
            ({upgraded.backupId.slice(0, 8)}).
          </Alert>
        )}
        {operation.kind === "upgrade" && operation.state === "rolled_back" && operation.instance && (
          <Alert tone="info" title="The old version is back">
            {operation.instance.name} runs its previous version again
            {upgradeBackup ? `; the backup taken before the attempt (${upgradeBackup.slice(0, 8)}) is kept` : ""}. Fix
            the cause below, then upgrade again.
          </Alert>
        )}
        {operation.error && (
          <Alert tone="error" title={operation.state === "rolled_back" ? "Failed, and undone" : "Failed"}>
            {operation.error}
          </Alert>
        )}
        <Card title="Steps">
          <Table
            caption="Steps"
            columns={["#", "Step", "State", "Started", "Finished", "Problem"]}
            rows={operation.steps.map((s) => {
              const [tone, label] = STEP[s.state] ?? STEP.pending!;
              const intent = (s.intent ?? {}) as { title?: string };
              return {
                key: s.id,
                cells: [
                  s.position + 1,
                  intent.title ?? s.key,
                  <StatusBadge key="s" tone={tone} label={label} />,
                  formatDateTime(s.startedAt),
                  formatDateTime(s.finishedAt),
                  s.error ?? "",
                ],
              };
            })}
          />
        </Card>
        <Card title="Details">
          <Facts
            items={[
              ["Created", formatDateTime(operation.createdAt)],
              ["Started", formatDateTime(operation.startedAt)],
              ["Finished", formatDateTime(operation.finishedAt)],
              [
                "Instance",
                operation.instance ? (
                  <Link key="i" href={`/instances/${operation.instance.id}`} className="text-sky-800 underline">
                    {operation.instance.name}
                  </Link>
                ) : (
                  "—"
                ),
              ],
              [
                "Worker",
                operation.leaseOwner
                  ? `${operation.leaseOwner} (heartbeat ${formatDateTime(operation.heartbeatAt)})`
                  : "—",
              ],
            ]}
          />
        </Card>
        <Card title="Log">
          {operation.logs.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing logged yet.</p>
          ) : (
            <pre className="max-h-96 overflow-auto rounded-md bg-slate-950 p-3 font-mono text-xs leading-5 text-slate-100">
              {operation.logs.map((l) => (
                <div
                  key={String(l.id)}
                  className={l.level === "error" ? "text-red-300" : l.level === "warn" ? "text-amber-300" : undefined}
                >
                  <span className="select-none text-slate-500">
                    {formatTime(l.at)} {l.level.padEnd(5)}{" "}
                  </span>
                  {l.message}
                </div>
              ))}
            </pre>
          )}
        </Card>
      </div>
    </>
  );
}
