import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/components/operations/live-refresh";
import { OperationStateBadge } from "@/components/status/badges";
import { Alert, Card, Facts, PageHeader, StatusBadge, Table, type Tone } from "@/components/ui";
import { auditOutOfScope, requirePermission } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { formatDateTimeSeconds, formatDuration, formatTime } from "@/lib/format";
import { isUuid } from "@/lib/server/ids";
import { findOperation } from "@/lib/server/operations/find-operations";
import { localizeServerText } from "@/lib/i18n/server-messages";
import { translatorFor } from "@/lib/i18n/translator";
import {
  mysqlMoveResult,
  readOperationFailure,
  readOperationResult,
  stepTitleOf,
} from "@/lib/server/operations/result-view";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("operation"))("metaTitle") };
}

const STEP: Record<string, Tone> = {
  pending: "neutral",
  running: "busy",
  succeeded: "ok",
  failed: "error",
  skipped: "neutral",
  compensated: "warning",
};

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const viewer = await requirePermission("operations.read", `/operations/${id}`);
  const operation = isUuid(id) ? await findOperation(db(), viewer, id) : null;
  if (!operation) {
    await auditOutOfScope(viewer, { type: "operation", id });
    notFound();
  }
  const t = await getTranslations("operation");
  const tk = await getTranslations("operations.kind");
  const locale = await getLocale();
  const when = (d: Date | null | undefined) => formatDateTimeSeconds(d, locale);
  // Step titles in the reader's language, when the step is the standard one the catalogs know (same key, same
  // English title); any other keeps the words it was journaled with.
  const english = translatorFor("en", "operation");
  const stepTitle = (key: string, journaled: string | undefined) => {
    const id = `stepTitle.${operation.kind}.${key}`;
    return t.has(id) && (!journaled || english(id) === journaled) ? t(id) : (journaled ?? key);
  };
  // A failure is journaled as "Step title: what happened": both parts in the reader's language.
  const journalText = (text: string) => {
    for (const s of operation.steps) {
      const title = stepTitleOf(s.intent);
      if (title && text.startsWith(`${title}: `)) {
        const rest = localizeServerText(text.slice(title.length + 2), locale);
        return locale === "en" ? text : `${stepTitle(s.key, title)} : ${rest}`;
      }
    }
    return localizeServerText(text, locale);
  };
  const active = ["queued", "running", "rolling_back"].includes(operation.state);
  const planned = (operation.params ?? {}) as { name?: unknown };
  const subject = operation.instance?.name ?? (typeof planned.name === "string" ? planned.name : null);
  const title = subject ? t("titleOf", { kind: tk(operation.kind), subject }) : tk(operation.kind);
  const result = readOperationResult(operation.result);
  const registered =
    operation.kind === "deploy" && operation.state === "succeeded" ? (result.register?.registerUrl ?? null) : null;
  const upgraded = operation.kind === "upgrade" && operation.state === "succeeded" ? (result.commit ?? null) : null;
  const upgradeBackup = operation.kind === "upgrade" ? (result.backup?.backupId ?? null) : null;
  const mysqlMoved =
    operation.kind === "database_upgrade" && operation.state === "succeeded" ? mysqlMoveResult(operation.result) : null;
  // Why it failed: the stored message (each part in the reader's language), else the journaled English.
  const failure = readOperationFailure(operation.errorText);
  const failureShown = (() => {
    if (!failure) return operation.error ? journalText(operation.error) : null;
    const what = localizeServerText(failure.what, locale);
    if (!failure.stepTitle) return what;
    const step = operation.steps.find((s) => stepTitleOf(s.intent) === failure.stepTitle);
    const title = step ? stepTitle(step.key, failure.stepTitle) : failure.stepTitle;
    return locale === "en" ? `${title}: ${what}` : `${title} : ${what}`;
  })();
  // Whether the upgrade ever reached the stop of the web container (until then, users saw nothing).
  const everStopped = operation.steps.some((s) => s.key === "recreate" && !["pending", "skipped"].includes(s.state));
  return (
    <>
      <LiveRefresh active={active} />
      <PageHeader
        title={title}
        description={t("requestedBy", { who: operation.requestedBy?.email ?? t("theSystem") })}
      />
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
              aria-label={t("progress")}
              className="h-2 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-sky-700"
            />
            <div className="mt-1 text-xs text-slate-600">{operation.progress} %</div>
          </div>
        )}
        {registered && operation.instance && (
          <Alert tone="success" title={t("runningTitle")}>
            {t.rich("runningBody", {
              url: registered,
              name: operation.instance.name,
              link: (chunks) => (
                <a href={registered} className="font-medium underline" target="_blank" rel="noreferrer">
                  {chunks}
                </a>
              ),
              instance: (chunks) => (
                <Link href={`/instances/${operation.instance!.id}`} className="font-medium underline">
                  {chunks}
                </Link>
              ),
            })}
          </Alert>
        )}
        {upgraded && operation.instance && (
          <Alert tone="success" title={t("upgradedTitle", { version: upgraded.version })}>
            {t.rich("upgradedBody", {
              name: operation.instance.name,
              version: upgraded.version,
              schema: upgraded.schema,
              seconds: new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", {
                minimumFractionDigits: 1,
                maximumFractionDigits: 1,
              }).format(upgraded.downtimeMs / 1000),
              backup: upgraded.backupId.slice(0, 8),
              page: (chunks) => (
                <Link href={`/instances/${operation.instance!.id}`} className="font-medium underline">
                  {chunks}
                </Link>
              ),
            })}
          </Alert>
        )}
        {mysqlMoved && operation.instance && (
          <Alert tone="success" title={t("mysqlMovedTitle", { version: mysqlMoved.version })}>
            {t("mysqlMovedBody", {
              name: operation.instance.name,
              version: mysqlMoved.version,
              seconds: new Intl.NumberFormat(locale === "fr" ? "fr-FR" : "en-GB", {
                minimumFractionDigits: 1,
                maximumFractionDigits: 1,
              }).format(mysqlMoved.downtimeMs / 1000),
            })}
          </Alert>
        )}
        {operation.kind === "upgrade" &&
          !everStopped &&
          ["failed", "rolled_back"].includes(operation.state) &&
          operation.instance && (
            <Alert tone="info" title={t("notStoppedTitle")}>
              {upgradeBackup
                ? t("notStoppedBodyBackup", { name: operation.instance.name, backup: upgradeBackup.slice(0, 8) })
                : t("notStoppedBody", { name: operation.instance.name })}
            </Alert>
          )}
        {operation.kind === "upgrade" && everStopped && operation.state === "rolled_back" && operation.instance && (
          <Alert tone="info" title={t("backTitle")}>
            {upgradeBackup
              ? t("backBodyBackup", { name: operation.instance.name, backup: upgradeBackup.slice(0, 8) })
              : t("backBody", { name: operation.instance.name })}
          </Alert>
        )}
        {failureShown && (
          <Alert tone="error" title={operation.state === "rolled_back" ? t("failedUndone") : t("failed")}>
            {failureShown}
          </Alert>
        )}
        <Card title={t("steps")}>
          <Table
            caption={t("steps")}
            columns={(["number", "step", "state", "started", "finished", "duration", "problem"] as const).map((c) =>
              t(`col.${c}`),
            )}
            rows={operation.steps.map((s) => {
              const state = s.state in STEP ? s.state : "pending";
              // A backup step "undone" changed nothing to undo: its restore point stays, and the page says so.
              const kept = state === "compensated" && s.key === "backup";
              const tone = kept ? "ok" : STEP[state]!;
              const label = kept ? t("step.kept") : t(`step.${state}`);
              return {
                key: s.id,
                cells: [
                  s.position + 1,
                  stepTitle(s.key, stepTitleOf(s.intent)),
                  <StatusBadge key="s" tone={tone} label={label} />,
                  when(s.startedAt),
                  when(s.finishedAt),
                  s.startedAt && s.finishedAt
                    ? formatDuration(s.finishedAt.getTime() - s.startedAt.getTime(), locale)
                    : "—",
                  s.error ? localizeServerText(s.error, locale) : "",
                ],
              };
            })}
          />
        </Card>
        <Card title={t("details")}>
          <Facts
            items={[
              [t("fact.created"), when(operation.createdAt)],
              [t("fact.started"), when(operation.startedAt)],
              [t("fact.finished"), when(operation.finishedAt)],
              [
                t("fact.instance"),
                operation.instance ? (
                  <Link key="i" href={`/instances/${operation.instance.id}`} className="text-sky-800 underline">
                    {operation.instance.name}
                  </Link>
                ) : (
                  "—"
                ),
              ],
              [
                t("fact.worker"),
                operation.leaseOwner
                  ? t("heartbeat", { owner: operation.leaseOwner, at: when(operation.heartbeatAt) })
                  : "—",
              ],
            ]}
          />
        </Card>
        <Card title={t("log")}>
          {operation.logs.length === 0 ? (
            <p className="text-sm text-slate-600">{t("nothingLogged")}</p>
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
