import { describe, expect, it } from "vitest";
import { attentionOf, byAttention, type FleetRow } from "./find-fleet";

const now = new Date("2026-11-22T12:00:00Z");
const row = (name: string, over: Partial<FleetRow> = {}): FleetRow =>
  ({
    id: name,
    name,
    state: "running",
    health: "ok",
    lastBackup: { finishedAt: new Date("2026-11-22T02:30:00Z") },
    updates: { newest: null, newestPatch: null },
    ...over,
  }) as FleetRow;

describe("what needs attention first", () => {
  it("puts stopped and unhealthy instances first, then stale backups, then updates", () => {
    const rows = [
      row("a-fine"),
      row("b-update", { updates: { newest: "5.1.0", newestPatch: null } }),
      row("c-no-backup", { lastBackup: null }),
      row("d-stopped", { state: "stopped", health: "unknown" }),
      row("e-ko", { state: "degraded", health: "ko" }),
      row("f-old-backup", { lastBackup: { finishedAt: new Date("2026-11-19T02:30:00Z") } }),
    ];
    expect(byAttention(rows, now).map((r) => r.name)).toEqual([
      "d-stopped",
      "e-ko",
      "c-no-backup",
      "f-old-backup",
      "b-update",
      "a-fine",
    ]);
    expect(attentionOf(row("x"), now)).toBe(0);
  });
});
