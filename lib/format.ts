/**
 * Display helpers shared by pages: dates in the panel's time zone and sizes,
 * written the way the reader's language writes them (French: "2 déc. 2026,
 * 14:03", "1,5 Gio"; English: "2 Dec 2026, 14:03", "1.5 GiB").
 */
import { TIME_ZONE, type Locale } from "./i18n/config";

const TAGS: Record<Locale, string> = { en: "en-GB", fr: "fr-FR" };
const tag = (locale: Locale | string | undefined) => TAGS[(locale as Locale) ?? "en"] ?? "en-GB";

const dateTimes = new Map<string, Intl.DateTimeFormat>();
function dateTime(locale?: Locale | string) {
  const key = tag(locale);
  let f = dateTimes.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(key, { dateStyle: "medium", timeStyle: "short", timeZone: TIME_ZONE });
    dateTimes.set(key, f);
  }
  return f;
}

export function formatDateTime(date: Date | null | undefined, locale?: Locale | string): string {
  return date ? dateTime(locale).format(date) : "—";
}

const preciseTimes = new Map<string, Intl.DateTimeFormat>();
/** As formatDateTime, to the second: when an operator follows the steps of an operation. */
export function formatDateTimeSeconds(date: Date | null | undefined, locale?: Locale | string): string {
  if (!date) return "—";
  const key = tag(locale);
  let f = preciseTimes.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(key, { dateStyle: "medium", timeStyle: "medium", timeZone: TIME_ZONE });
    preciseTimes.set(key, f);
  }
  return f.format(date);
}

/** How long something took: "0.4 s", "12 s", "3 min 05 s", "1 h 02 min" (French: "0,4 s"). */
export function formatDuration(ms: number | null | undefined, locale?: Locale | string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  const s = ms / 1000;
  if (s < 10) return `${s.toLocaleString(tag(locale), { maximumFractionDigits: 1, minimumFractionDigits: 1 })} s`;
  const total = Math.round(s);
  if (total < 60) return `${total} s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (total < 3600) return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
}

const AGE: Record<Locale, { s: string; min: string; h: string; d: string }> = {
  en: { s: "{n} s ago", min: "{n} min ago", h: "{n} h ago", d: "{n} days ago" },
  fr: { s: "il y a {n} s", min: "il y a {n} min", h: "il y a {n} h", d: "il y a {n} jours" },
};

/** "3 min ago" / "il y a 3 min", relative to `now`. */
export function formatAge(date: Date, now: Date = new Date(), locale?: Locale | string): string {
  const words = AGE[(locale as Locale) ?? "en"] ?? AGE.en;
  const say = (pattern: string, n: number) => pattern.replace("{n}", String(n));
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return say(words.s, seconds);
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return say(words.min, minutes);
  const hours = Math.round(minutes / 60);
  if (hours < 48) return say(words.h, hours);
  return say(words.d, Math.round(hours / 24));
}

const UNITS: Record<Locale, string[]> = {
  en: ["B", "KiB", "MiB", "GiB", "TiB"],
  fr: ["o", "Kio", "Mio", "Gio", "Tio"],
};

export function formatBytes(bytes: bigint | number | null | undefined, locale?: Locale | string): string {
  if (bytes === null || bytes === undefined) return "—";
  const units = UNITS[(locale as Locale) ?? "en"] ?? UNITS.en;
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const number = new Intl.NumberFormat(tag(locale), {
    minimumFractionDigits: unit === 0 ? 0 : 1,
    maximumFractionDigits: unit === 0 ? 0 : 1,
    useGrouping: false,
  }).format(value);
  return `${number} ${units[unit]}`;
}

const timeOfDay = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: TIME_ZONE,
});

/** "14:03:07", in the same time zone as every other date of the panel (the same in both languages). */
export function formatTime(date: Date | string | null | undefined): string {
  return date ? timeOfDay.format(typeof date === "string" ? new Date(date) : date) : "--:--:--";
}

/**
 * The x-axis labels of a chart over time: the day ("5 Dec") when each point falls on its own day;
 * the time too ("5 Dec, 14:03") when a day holds several; only the time when all are on one day.
 */
export function timeAxisLabels(ats: (Date | string)[], locale?: Locale | string): string[] {
  const dates = ats.map((a) => (typeof a === "string" ? new Date(a) : a));
  const dayOf = new Intl.DateTimeFormat(tag(locale), { day: "numeric", month: "short", timeZone: TIME_ZONE });
  const timeOf = new Intl.DateTimeFormat(tag(locale), { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE });
  const days = dates.map((d) => dayOf.format(d));
  if (new Set(days).size === days.length) return days;
  if (new Set(days).size === 1) return dates.map((d) => timeOf.format(d));
  return dates.map((d, i) => `${days[i]}, ${timeOf.format(d)}`);
}
