import { CalendarClock } from "lucide-react";
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { requirePermission } from "@/lib/auth/authorize";
import { Card, EmptyState, PageHeader, StatusBadge, Table, type Tone } from "@/components/ui";
import { db } from "@/lib/server/db/web";
import { formatDateTime } from "@/lib/format";
import { now } from "@/lib/clock";
import { ELABFTW_REPOSITORY } from "@/lib/server/instances/deploy-plan";
import { readTagCache } from "@/lib/server/registry/tag-cache";
import { stableVersions } from "@/lib/server/registry/versions";
import { releaseTraits } from "@/lib/server/instances/elabftw-releases";
import { findSchedules } from "@/lib/server/upgrades/schedule";
import { ScheduleForm } from "@/components/upgrades/schedule-form";
import { CancelScheduleButton } from "@/components/upgrades/cancel-schedule";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("upgrades"))("title") };
}

const stateTone: Record<string, Tone> = {
  scheduled: "neutral",
  running: "busy",
  succeeded: "ok",
  stopped: "error",
  cancelled: "neutral",
};
const outcomeTone: Record<string, Tone> = {
  succeeded: "ok",
  failed: "error",
  rolled_back: "warning",
  not_started: "neutral",
  pending: "neutral",
};

/** "Upgrade at 22:00": planned upgrades of one or several instances, and what became of them. */
export default async function UpgradesPage() {
  await requirePermission("instances.upgrade", "/upgrades");
  const t = await getTranslations("upgrades");
  const locale = await getLocale();
  const [cache, instances, schedules] = await Promise.all([
    readTagCache(db()),
    db().instance.findMany({
      orderBy: { name: "asc" },
      where: { imageRepository: ELABFTW_REPOSITORY },
      select: { id: true, name: true, elabftwVersion: true, imageTag: true, unit: { select: { code: true } } },
    }),
    findSchedules(db()),
  ]);
  const versions = stableVersions(cache[ELABFTW_REPOSITORY]?.tags ?? []).reverse();
  const at = now();
  const tonight = new Date(at);
  tonight.setHours(22, 0, 0, 0);
  if (tonight.getTime() < at.getTime() + 3600_000) tonight.setDate(tonight.getDate() + 1);
  const pad = (n: number) => String(n).padStart(2, "0");
  const defaultAt = `${tonight.getFullYear()}-${pad(tonight.getMonth() + 1)}-${pad(tonight.getDate())}T22:00`;
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <Card title={t("planTitle")}>
        {versions.length === 0 ? (
          <p className="text-sm text-slate-600">{t("noVersions")}</p>
        ) : (
          <ScheduleForm
            versions={versions}
            layoutVersions={versions.filter((v) => releaseTraits(v)?.layout.runsAs === "user")}
            instances={instances.map((i) => ({
              id: i.id,
              name: i.name,
              unit: i.unit.code,
              version: i.elabftwVersion ?? (/^\d+\.\d+\.\d+$/.test(i.imageTag) ? i.imageTag : null),
            }))}
            defaultAt={defaultAt}
          />
        )}
      </Card>
      <div className="mt-4">
        {schedules.length === 0 ? (
          <EmptyState icon={CalendarClock} title={t("emptyTitle")}>
            {t("emptyBody")}
          </EmptyState>
        ) : (
          <Table
            caption={t("caption")}
            columns={(["at", "state", "upgrades", "by", "report", "actions"] as const).map((c) => t(`col.${c}`))}
            rows={schedules.map((s) => ({
              key: s.id,
              cells: [
                formatDateTime(s.runAt, locale),
                <StatusBadge key="s" tone={stateTone[s.state] ?? "neutral"} label={t(`state.${s.state}`)} />,
                <ol key="u" className="space-y-1">
                  {s.items.map((i) => (
                    <li key={i.instanceId} className="flex flex-wrap items-center gap-2">
                      <span className="font-medium">{i.name}</span>
                      <span className="text-slate-600">
                        {i.fromTag} → {i.toTag}
                      </span>
                      <StatusBadge
                        tone={outcomeTone[i.outcome ?? "pending"] ?? "neutral"}
                        label={t(`outcome.${i.outcome ?? "pending"}`)}
                      />
                      {i.operationId && (
                        <Link href={`/operations/${i.operationId}`} className="text-sky-800 underline">
                          {t("journal")}
                        </Link>
                      )}
                    </li>
                  ))}
                </ol>,
                s.requestedBy ?? "—",
                s.mailedAt ? t("mailed", { at: formatDateTime(s.mailedAt, locale) }) : (s.mailError ?? "—"),
                s.state === "scheduled" ? (
                  <CancelScheduleButton key="c" scheduleId={s.id} when={formatDateTime(s.runAt, locale)} />
                ) : (
                  "—"
                ),
              ],
            }))}
          />
        )}
      </div>
    </>
  );
}
