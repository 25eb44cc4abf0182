"use client";

import { useEffect, useState } from "react";
import { useFormatter, useTranslations } from "next-intl";
import { previewUpgradeAction } from "@/app/(dashboard)/instances/actions";
import { Alert } from "@/components/ui";

type Preview = Extract<Awaited<ReturnType<typeof previewUpgradeAction>>, { ok: true }>["data"];

/**
 * What the upgrade will do to this very instance, read live when the dialog opens (and again when the
 * version or the user changes): the pre-flight's risk checks, the chown of a move to a user-run layout,
 * the compose file as a diff, the fleet's recent downtime. Reading changes nothing.
 */
export function UpgradePlanPreview({
  instanceId,
  version,
  runAs,
}: {
  instanceId: string;
  version: string;
  runAs?: string;
}) {
  const t = useTranslations("upgrade.plan");
  const format = useFormatter();
  // What was read, for which request: a result for another version or user is not shown (it is loading).
  const key = `${instanceId}|${version}|${runAs ?? ""}`;
  const [read, setRead] = useState<
    { key: string } & ({ status: "error"; message: string } | { status: "ready"; preview: Preview })
  >();
  useEffect(() => {
    let current = true;
    // The user is typed: read once it has stopped changing, and only when it is a uid:gid.
    const timer = setTimeout(
      () => {
        const input =
          runAs && /^\d{1,10}:\d{1,10}$/.test(runAs) ? { instanceId, version, runAs } : { instanceId, version };
        previewUpgradeAction(input).then(
          (result) => {
            if (!current) return;
            setRead(
              result.ok
                ? { key, status: "ready", preview: result.data }
                : { key, status: "error", message: result.message },
            );
          },
          () => current && setRead({ key, status: "error", message: t("unreachable") }),
        );
      },
      runAs === undefined ? 0 : 400,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key, instanceId, version, runAs, t]);

  const state = read?.key === key ? read : null;
  if (!state) {
    return (
      <p role="status" className="text-slate-600">
        {t("loading")}
      </p>
    );
  }
  if (state.status === "error") {
    return (
      <Alert tone="warning" title={t("failedTitle")}>
        {state.message}
      </Alert>
    );
  }
  const { risks, chown, compose, downtime } = state.preview;
  return (
    <section aria-label={t("title")} className="space-y-3">
      {(
        [
          ["block", "error", t("blockTitle")],
          ["warn", "warning", t("warnTitle")],
        ] as const
      ).map(([level, tone, title]) => {
        const found = risks.filter((r) => r.level === level);
        return (
          found.length > 0 && (
            <Alert key={level} tone={tone} title={title}>
              <ul className="list-disc space-y-1 pl-5">
                {found.map((r) => (
                  <li key={r.text}>
                    {r.text} {r.hint}
                  </li>
                ))}
              </ul>
            </Alert>
          )
        );
      })}
      {risks.length === 0 && <p>{t("noRisk")}</p>}
      {chown && (
        <p>
          {t("chown", { count: chown.toChown })}
          {chown.absoluteLinks > 0 && <> {t("absoluteLinks", { count: chown.absoluteLinks })}</>}
        </p>
      )}
      {compose &&
        (compose.file === null ? (
          <p>{t("composeUnchanged", { reason: compose.reason })}</p>
        ) : (
          <div>
            <p className="font-medium">{t("composeTitle", { file: compose.file })}</p>
            <pre
              aria-label={t("composeDiff")}
              className="mt-1 max-h-64 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 text-xs leading-5"
            >
              {compose.hunks.map((h) => (
                <span key={`${h.oldStart}-${h.newStart}`} className="block">
                  <span className="block text-slate-500">{`@@ -${h.oldStart} +${h.newStart} @@`}</span>
                  {h.lines.map((line, i) => (
                    <span
                      key={i}
                      className={
                        line.startsWith("+")
                          ? "block bg-emerald-50 text-emerald-900"
                          : line.startsWith("-")
                            ? "block bg-red-50 text-red-900"
                            : "block text-slate-700"
                      }
                    >
                      {line}
                    </span>
                  ))}
                </span>
              ))}
            </pre>
          </div>
        ))}
      {downtime && (
        <p className="text-slate-700">
          {t("downtime", {
            seconds: format.number(downtime.medianMs / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
            count: downtime.count,
          })}
        </p>
      )}
    </section>
  );
}
