import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatBytes,
  formatDateTime,
  formatDateTimeSeconds,
  formatDuration,
  timeAxisLabels,
} from "./format";

describe("dates and sizes in the reader's language", () => {
  const at = new Date("2026-12-02T13:03:00Z");
  it("writes dates in the panel's time zone, the language's way", () => {
    expect(formatDateTime(at, "en")).toBe("2 Dec 2026, 14:03");
    expect(formatDateTime(at, "fr")).toBe("2 déc. 2026, 14:03");
    expect(formatDateTime(null, "fr")).toBe("—");
  });
  it("writes an operation's step times to the second, and how long each took", () => {
    const step = new Date("2026-12-02T13:03:07Z");
    expect(formatDateTimeSeconds(step, "en")).toBe("2 Dec 2026, 14:03:07");
    expect(formatDateTimeSeconds(step, "fr")).toBe("2 déc. 2026, 14:03:07");
    expect(formatDuration(420, "en")).toBe("0.4 s");
    expect(formatDuration(420, "fr")).toBe("0,4 s");
    expect(formatDuration(12_400, "en")).toBe("12 s");
    expect(formatDuration(185_000, "en")).toBe("3 min 05 s");
    expect(formatDuration(3_725_000, "en")).toBe("1 h 02 min");
    expect(formatDuration(null, "en")).toBe("—");
  });
  it("writes sizes with the language's decimal mark and unit names", () => {
    expect(formatBytes(1536 * 1024 * 1024, "en")).toBe("1.5 GiB");
    expect(formatBytes(1536 * 1024 * 1024, "fr")).toBe("1,5 Gio");
    expect(formatBytes(512, "fr")).toBe("512 o");
    expect(formatBytes(10n * 1024n, "en")).toBe("10.0 KiB");
  });
  it("says how long ago", () => {
    const now = new Date(at.getTime() + 3 * 60_000);
    expect(formatAge(at, now, "en")).toBe("3 min ago");
    expect(formatAge(at, now, "fr")).toBe("il y a 3 min");
  });
  it("labels a chart's time axis by day, or by time when a day holds several points", () => {
    expect(timeAxisLabels(["2026-12-03T01:30:00Z", "2026-12-04T01:30:00Z"], "en")).toEqual(["3 Dec", "4 Dec"]);
    expect(timeAxisLabels(["2026-12-05T08:00:00Z", "2026-12-05T09:15:00Z", "2026-12-05T13:03:00Z"], "en")).toEqual([
      "09:00",
      "10:15",
      "14:03",
    ]);
    expect(timeAxisLabels(["2026-12-04T08:00:00Z", "2026-12-05T08:00:00Z", "2026-12-05T13:03:00Z"], "fr")).toEqual([
      "4 déc., 09:00",
      "5 déc., 09:00",
      "5 déc., 14:03",
    ]);
  });
});
