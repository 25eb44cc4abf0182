import { describe, expect, it } from "vitest";
import { pullFraction } from "../operations/pull-progress";
import { parseGeneratedKey } from "./deploy";

describe("deploy helpers", () => {
  it("reads the key bin/init tools:genkey prints, and nothing else", () => {
    const key = "def00000" + "0123456789abcdef".repeat(8);
    expect(parseGeneratedKey(`${key}\n`)).toBe(key);
    expect(parseGeneratedKey(`Some notice\n${key}\n`)).toBe(key);
    expect(parseGeneratedKey("def00000abc\n")).toBeNull(); // too short to be a Defuse key
    expect(parseGeneratedKey(`xdef00000${"a".repeat(80)}\n`)).toBeNull();
    expect(parseGeneratedKey(`def00000${"A".repeat(80)}\n`)).toBeNull(); // upper-case is not what genkey prints
    expect(parseGeneratedKey("")).toBeNull();
  });

  it("sums the layers for the pull progress, capped at each layer's size", () => {
    expect(pullFraction(new Map())).toBeNull();
    const layers = new Map([
      ["a", { current: 50, total: 100 }],
      ["b", { current: 300, total: 300 }],
    ]);
    expect(pullFraction(layers)).toBeCloseTo(350 / 400);
    layers.set("c", { current: 500, total: 100 }); // an engine overshoot counts as done, not more
    expect(pullFraction(layers)).toBeCloseTo(450 / 500);
  });
});
