import { Archive } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { SizeChart } from "@/components/backups/size-chart";
import { BackupStatusBadge, VerificationBadge } from "@/components/status/badges";
import { ButtonLink, Card, EmptyState, PageHeader, StatusBadge, Table, type Tone } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { can, seesWholeFleet } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { db } from "@/lib/server/db/web";
import { formatAge, formatBytes, formatDateTime } from "@/lib/format";
import { findBackupStatus, type InstanceBackupStatus } from "@/lib/server/backups/backup-status";
import { findRecentBackups } from "@/lib/server/backups/find-backups";
import { localizeServerText } from "@/lib/i18n/server-messages";
import { englishText } from "@/lib/i18n/message";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("backups"))("title") };
}

const VERDICT: Record<InstanceBackupStatus["verdict"], Tone> = {
  failing: "error",
  never: "error",
  stale: "warning",
  ok: "ok",
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
  const t = await getTranslations("backups");
  const locale = await getLocale();
  const [statuses, recent] = await Promise.all([
    findBackupStatus(db(), viewer, at),
    findRecentBackups(db(), viewer, 20),
  ]);
  const attention = statuses.filter((s) => s.verdict !== "ok").length;
  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          can(viewer.role, "backups.run") ? (
            <ButtonLink href="/backups/policies">{t("policies")}</ButtonLink>
          ) : undefined
        }
      />
      {statuses.length === 0 ? (
        <EmptyState icon={Archive} title={t("emptyTitle")}>
          {seesWholeFleet(viewer.role) ? t("emptyStaff") : t("emptyUnit")}
        </EmptyState>
      ) : (
        <div className="space-y-5">
          <p className="text-sm text-slate-700" role="status">
            {attention === 0
              ? t("allGood", { count: statuses.length, hours: statuses[0]!.maxAgeHours })
              : t("attention", { attention, count: statuses.length })}
          </p>
          <div className="grid gap-5 xl:grid-cols-2">
            {statuses.map((s) => {
              const tone = VERDICT[s.verdict];
              const label = t(`verdict.${s.verdict}`);
              return (
                <Card
                  key={s.instanceId}
                  title={`${s.name} · ${s.unit.code}`}
                  actions={<StatusBadge tone={tone} label={label} />}
                >
                  <div className="space-y-3 text-sm">
                    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                      <dt className="text-slate-500">{t("lastGood")}</dt>
                      <dd>
                        {s.lastSuccess
                          ? t("lastGoodValue", {
                              age: formatAge(s.lastSuccess.at, at, locale),
                              at: formatDateTime(s.lastSuccess.at, locale),
                              size: formatBytes(s.lastSuccess.totalBytes, locale),
                            })
                          : t("never")}
                      </dd>
                      {s.lastSuccess && (
                        <>
                          <dt className="text-slate-500">{t("where")}</dt>
                          <dd>
                            {s.lastSuccess.repository
                              ? t("whereRepository", {
                                  repository: s.lastSuccess.repository,
                                  added: formatBytes(s.lastSuccess.addedBytes, locale),
                                })
                              : t("whereFiles")}
                          </dd>
                        </>
                      )}
                      {s.offsite && (
                        <>
                          <dt className="text-slate-500">{t("offsite")}</dt>
                          <dd>
                            {s.offsite.lastAt
                              ? t("offsiteValue", {
                                  repository: s.offsite.repository,
                                  age: formatAge(s.offsite.lastAt, at, locale),
                                })
                              : t("offsiteNone", { repository: s.offsite.repository })}
                          </dd>
                        </>
                      )}
                      <dt className="text-slate-500">{t("lastVerification")}</dt>
                      <dd>
                        {s.lastVerification ? (
                          <span className="inline-flex flex-wrap items-center gap-2">
                            <VerificationBadge value={s.lastVerification.passed ? "passed" : "failed"} />
                            {formatAge(s.lastVerification.at, at, locale)}
                            {s.lastVerification.reason && (
                              <span className="text-slate-700">
                                {localizeServerText(s.lastVerification.reason, locale)}
                              </span>
                            )}
                          </span>
                        ) : (
                          t("neverVerified")
                        )}
                      </dd>
                      <dt className="text-slate-500">{t("nextRun")}</dt>
                      <dd>{s.nextRun ? `${formatDateTime(s.nextRun, locale)} (${s.schedule})` : t("noSchedule")}</dd>
                    </dl>
                    {s.sizes.length > 0 ? (
                      <SizeChart
                        points={s.sizes}
                        label={t("chartLabel", { name: s.name })}
                        series={{ database: t("chartDatabase"), uploads: t("chartUploads") }}
                      />
                    ) : (
                      <p className="text-slate-600">{t("chartLater")}</p>
                    )}
                    {s.failures.length > 0 && (
                      <div>
                        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">
                          {t("recentFailures")}
                        </h3>
                        <ul className="mt-1 space-y-1">
                          {s.failures.map((f) => (
                            <li key={f.at.toISOString() + englishText(f.reason)} className="text-slate-800">
                              <span className="text-slate-500">{formatDateTime(f.at, locale)}</span> ·{" "}
                              {localizeServerText(f.reason, locale)}
                            </li>
                          ))}
                        </ul>
                      </div>
                    )}
                    {seesWholeFleet(viewer.role) && (
                      <Link href={`/instances/${s.instanceId}`} className="text-sky-800 underline">
                        {t("openInstance")}
                      </Link>
                    )}
                  </div>
                </Card>
              );
            })}
          </div>
          {recent.length > 0 && (
            <Card title={t("recentTitle")}>
              <Table
                caption={t("recentCaption")}
                columns={(["taken", "instance", "unit", "trigger", "status", "size", "verification"] as const).map(
                  (c) => t(`col.${c}`),
                )}
                rows={recent.map((b) => ({
                  key: b.id,
                  cells: [
                    formatDateTime(b.createdAt, locale),
                    b.instance.name,
                    b.instance.unit.code,
                    t(`trigger.${b.trigger}`),
                    <BackupStatusBadge key="s" value={b.status} />,
                    formatBytes(b.totalBytes, locale),
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
