import { describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, hashEvent, redact, type ChainedContent } from "./audit-chain";

const event: ChainedContent = {
  at: new Date("2026-11-22T08:00:00.123Z"),
  actorType: "operator",
  operatorId: "op-1",
  actorLabel: "a@unit.example",
  securityKeyId: null,
  ip: "10.8.0.2",
  userAgent: "Firefox",
  action: "instance.upgrade",
  targetType: "instance",
  targetId: "i-1",
  unitId: "u-1",
  instanceId: "i-1",
  params: { to: "5.1.0", from: "5.0.4" },
  outcome: "success",
  reason: null,
  prevHash: GENESIS_HASH,
};

describe("audit chain", () => {
  it("canonical JSON does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it("hashes are stable, and change with any field or link", () => {
    const h = hashEvent(event);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent({ ...event, params: { from: "5.0.4", to: "5.1.0" } })).toBe(h);
    expect(hashEvent({ ...event, outcome: "failure" })).not.toBe(h);
    expect(hashEvent({ ...event, prevHash: "1".repeat(64) })).not.toBe(h);
    expect(hashEvent({ ...event, at: new Date("2026-11-22T08:00:00.124Z") })).not.toBe(h);
  });

  it("redacts secrets at any depth, keeps the rest", () => {
    expect(
      redact({
        email: "a@b",
        password: "p",
        nested: { DB_PASSWORD: "x", tlsClientKeyEnc: "y", list: [{ token: "t", name: "n" }] },
        key: "k",
      }),
    ).toEqual({
      email: "a@b",
      password: "[redacted]",
      nested: { DB_PASSWORD: "[redacted]", tlsClientKeyEnc: "[redacted]", list: [{ token: "[redacted]", name: "n" }] },
      key: "[redacted]",
    });
  });
});
