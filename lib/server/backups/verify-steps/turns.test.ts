import { describe, expect, it } from "vitest";
import { turnsFor } from "./restic";

const MiB = 2 ** 20;

describe("turnsFor: how many verifications cover the data", () => {
  it("keeps the minimum while a turn stays within the budget", () => {
    expect(turnsFor(100 * MiB, 7, 128 * MiB)).toBe(7);
    expect(turnsFor(7 * 128 * MiB, 7, 128 * MiB)).toBe(7);
  });

  it("adds turns, not bytes per turn, when the data grows", () => {
    expect(turnsFor(1024 * MiB, 7, 128 * MiB)).toBe(8);
    expect(turnsFor(4096 * MiB, 7, 128 * MiB)).toBe(32);
    expect(turnsFor(4096 * MiB + 1, 7, 128 * MiB)).toBe(33);
    // What one turn reads stays under the budget at every size.
    for (const gib of [1, 4, 50, 500]) {
      const total = gib * 1024 * MiB;
      expect(total / turnsFor(total, 12, 128 * MiB)).toBeLessThanOrEqual(128 * MiB);
    }
  });

  it("falls back to the minimum for an empty repository or no budget", () => {
    expect(turnsFor(0, 12, 128 * MiB)).toBe(12);
    expect(turnsFor(10 * MiB, 12, 0)).toBe(12);
    expect(turnsFor(Number.NaN, 12, 128 * MiB)).toBe(12);
  });
});
