import { describe, expect, it } from "vitest";
import { gateRefusals, noteGateRefusal } from "./gate-refusals";

describe("network gate refusals", () => {
  it("counts every refusal and logs one line per client and minute, then the minute's count", () => {
    const lines: { client: string; refused: number }[] = [];
    const log = (fields: { client: string; refused: number }) => lines.push(fields);
    const start = gateRefusals();
    const minute = Date.UTC(2026, 11, 5, 10, 0);
    for (let i = 0; i < 50; i++) noteGateRefusal("203.0.113.9", log, minute + i * 1000);
    noteGateRefusal("198.51.100.4", log, minute + 55_000);
    noteGateRefusal(null, log, minute + 56_000);
    expect(gateRefusals() - start).toBe(52);
    expect(lines).toEqual([
      expect.objectContaining({ client: "203.0.113.9", refused: 1 }),
      expect.objectContaining({ client: "198.51.100.4", refused: 1 }),
      expect.objectContaining({ client: "unknown", refused: 1 }),
    ]);
    // The next minute: the scanner's 50 are summed up, and its new first refusal logged.
    noteGateRefusal("203.0.113.9", log, minute + 61_000);
    expect(lines.slice(3)).toEqual([
      expect.objectContaining({ client: "203.0.113.9", refused: 50 }),
      expect.objectContaining({ client: "203.0.113.9", refused: 1 }),
    ]);
  });
});
