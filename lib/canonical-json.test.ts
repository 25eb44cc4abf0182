import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";

describe("canonicalJson (RFC 8785)", () => {
  it("writes the RFC's own example byte for byte", () => {
    // RFC 8785, section 3.2.2 (input) and 3.2.3 (expected output).
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units at every level and leaves undefined members out", () => {
    // RFC 8785, section 3.2.3: "\ud83d\ude00" (😀) sorts before "\ufb33" in UTF-16, after it in code points.
    expect(canonicalJson({ "\ufb33": 1, "😀": 2, a: { z: [3, { y: undefined, b: null }], c: undefined } })).toBe(
      '{"a":{"z":[3,{"b":null}]},"😀":2,"\ufb33":1}',
    );
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson(new Date("2026-12-05T00:00:00Z"))).toBe('"2026-12-05T00:00:00.000Z"');
  });
});
