import { describe, expect, it } from "vitest";
import { decideRetention } from "./retention";

const now = new Date("2026-12-01T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * 24 * 3600_000);

describe("retention", () => {
  it("deletes what is older than the policy's days, beyond the last K", () => {
    const backups = [0, 1, 2, 10, 61, 62, 90].map((d) => ({ id: `d${d}`, createdAt: daysAgo(d), verified: true }));
    expect(decideRetention(backups, { retentionDays: 60, keepLast: 3 }, now)).toEqual({
      keep: ["d0", "d1", "d2", "d10"],
      prune: ["d61", "d62", "d90"],
    });
  });

  it("keeps the last K however old they are", () => {
    const backups = [100, 200, 300, 400].map((d) => ({ id: `d${d}`, createdAt: daysAgo(d), verified: true }));
    expect(decideRetention(backups, { retentionDays: 60, keepLast: 2 }, now)).toEqual({
      keep: ["d100", "d200"],
      prune: ["d300", "d400"],
    });
  });

  it("never deletes the newest verified backup, even when old and beyond K", () => {
    const backups = [
      { id: "new-unverified-1", createdAt: daysAgo(70), verified: false },
      { id: "new-unverified-2", createdAt: daysAgo(80), verified: false },
      { id: "old-verified", createdAt: daysAgo(200), verified: true },
      { id: "older-verified", createdAt: daysAgo(300), verified: true },
    ];
    expect(decideRetention(backups, { retentionDays: 60, keepLast: 1 }, now)).toEqual({
      keep: ["new-unverified-1", "old-verified"],
      prune: ["new-unverified-2", "older-verified"],
    });
  });

  it("keeps everything within the period and prunes nothing when there is nothing", () => {
    expect(decideRetention([], { retentionDays: 1, keepLast: 1 }, now)).toEqual({ keep: [], prune: [] });
    const recent = [1, 2, 3].map((h) => ({
      id: `h${h}`,
      createdAt: new Date(now.getTime() - h * 3600_000),
      verified: false,
    }));
    expect(decideRetention(recent, { retentionDays: 1, keepLast: 1 }, now).prune).toEqual([]);
  });
});
