/** Display helpers shared by pages. Locale handling arrives with the French/English interface. */

const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "Europe/Paris",
});

export function formatDateTime(date: Date | null | undefined): string {
  return date ? dateTime.format(date) : "—";
}

/** "3 min ago", "2 h ago", "5 days ago" relative to `now`. */
export function formatAge(date: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: bigint | number | null | undefined): string {
  if (bytes === null || bytes === undefined) return "—";
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

const timeOfDay = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "Europe/Paris",
});

/** "14:03:07", in the same time zone as every other date of the panel. */
export function formatTime(date: Date | string | null | undefined): string {
  return date ? timeOfDay.format(typeof date === "string" ? new Date(date) : date) : "--:--:--";
}
