"use client";

import { useSyncExternalStore } from "react";
import { Area, AreaChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useLocale } from "next-intl";
import { formatBytes, timeAxisLabels } from "@/lib/format";

/**
 * Database and uploads sizes of the successful restore points over time
 * (recharts). Drawn in the browser only: the panel's CSP forbids inline style
 * attributes in server-rendered HTML, and a chart is no use without script.
 */
export function SizeChart({
  points,
  label,
  series,
}: {
  points: { at: string; databaseBytes: number; uploadsBytes: number }[];
  label: string;
  /** The two series' names, in the reader's language. */
  series: { database: string; uploads: string };
}) {
  const locale = useLocale();
  // false while rendering on the server, true in the browser.
  const mounted = useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );
  // By day, or by time when several backups fall on one day (never "5 Dec" five times).
  const labels = timeAxisLabels(
    points.map((p) => p.at),
    locale,
  );
  const data = points.map((p, i) => ({ ...p, day: labels[i] }));
  return (
    <figure className="h-40 w-full" aria-label={label}>
      {mounted && points.length > 0 && (
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="day" tick={{ fontSize: 11 }} />
            <YAxis tickFormatter={(v: number) => formatBytes(v, locale)} tick={{ fontSize: 11 }} width={70} />
            <Tooltip formatter={(v) => formatBytes(Number(v), locale)} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Area
              type="monotone"
              dataKey="databaseBytes"
              name={series.database}
              stackId="1"
              stroke="#0369a1"
              fill="#bae6fd"
            />
            <Area
              type="monotone"
              dataKey="uploadsBytes"
              name={series.uploads}
              stackId="1"
              stroke="#047857"
              fill="#a7f3d0"
              strokeDasharray="4 2"
            />
          </AreaChart>
        </ResponsiveContainer>
      )}
      <figcaption className="sr-only">{label}</figcaption>
    </figure>
  );
}
