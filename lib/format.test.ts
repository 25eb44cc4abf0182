import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatDateTime, formatDateTimeSeconds, formatDuration } from "./format";

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
});
