import { describe, expect, it } from "vitest";
import { parseKeyRing } from "../../crypto";
import { canonicalJson } from "../../canonical-json";
import { auditChainKey, GENESIS_HASH, hashEvent, redact, type ChainedContent } from "./audit-chain";

const ring = parseKeyRing(`k2:${Buffer.alloc(32, 2).toString("base64")},k1:${Buffer.alloc(32, 1).toString("base64")}`);
const key = auditChainKey(ring)!.key;

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
  chainKeyId: "k2",
};

describe("audit chain", () => {
  it("canonical JSON does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
  });

  it("hashes are stable, and change with any field or link", () => {
    const h = hashEvent(event, key);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent({ ...event, params: { from: "5.0.4", to: "5.1.0" } }, key)).toBe(h);
    expect(hashEvent({ ...event, outcome: "failure" }, key)).not.toBe(h);
    expect(hashEvent({ ...event, prevHash: "1".repeat(64) }, key)).not.toBe(h);
    expect(hashEvent({ ...event, at: new Date("2026-11-22T08:00:00.124Z") }, key)).not.toBe(h);
  });

  it("is keyed: another master key, a plain SHA-256 or another key id gives another hash", () => {
    const h = hashEvent(event, key);
    const older = auditChainKey(ring, "k1")!;
    expect(older.id).toBe("k1");
    expect(hashEvent(event, older.key)).not.toBe(h);
    expect(hashEvent({ ...event, chainKeyId: "k1" }, key)).not.toBe(h);
    // Someone without the master key can compute only the unkeyed form, which is not this.
    expect(hashEvent({ ...event, chainKeyId: null }, null)).not.toBe(h);
    expect(() => hashEvent(event, null)).toThrow(/no key/);
    expect(auditChainKey(ring, "k9")).toBeNull();
    // The HMAC key is derived, not the master key itself.
    expect(key.equals(ring.current.key)).toBe(false);
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
