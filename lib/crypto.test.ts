import { describe, expect, it } from "vitest";
import { generateKeySpec, needsRotation, open, parseKeyRing, reseal, seal } from "./crypto";
import { AppError } from "./errors";

const ring = parseKeyRing(generateKeySpec("k1"));

describe("secrets at rest", () => {
  it("seals and opens, with a fresh IV each time", () => {
    const a = seal(ring, "s3cret-password", "Instance.secretsEnc:1");
    const b = seal(ring, "s3cret-password", "Instance.secretsEnc:1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(a).toMatch(/^pl1:k1:[\w-]+:[\w-]+$/);
    expect(open(ring, a, "Instance.secretsEnc:1")).toBe("s3cret-password");
  });

  it("does not open in another context (value copied to another row)", () => {
    const sealed = seal(ring, "x", "DockerHost.tlsClientKeyEnc:a");
    expect(() => open(ring, sealed, "DockerHost.tlsClientKeyEnc:b")).toThrow(/failed its integrity check/);
  });

  it("detects tampering", () => {
    const sealed = seal(ring, "hello world", "ctx");
    const parts = sealed.split(":");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0]! ^= 1;
    parts[3] = body.toString("base64url");
    expect(() => open(ring, parts.join(":"), "ctx")).toThrow(AppError);
  });

  it("rotates: the first key seals, older keys still open, reseal moves to the new key", () => {
    const old = seal(ring, "value", "ctx");
    const rotated = parseKeyRing(
      `${generateKeySpec("k2")},${[...ring.all.entries()].map(([id, k]) => `${id}:${k.toString("base64")}`)[0]}`,
    );
    expect(rotated.current.id).toBe("k2");
    expect(open(rotated, old, "ctx")).toBe("value");
    expect(needsRotation(rotated, old)).toBe(true);
    const fresh = reseal(rotated, old, "ctx");
    expect(fresh.split(":")[1]).toBe("k2");
    expect(needsRotation(rotated, fresh)).toBe(false);
    expect(open(rotated, fresh, "ctx")).toBe("value");
  });

  it("says which key is missing, without showing the secret", () => {
    const other = parseKeyRing(generateKeySpec("k9"));
    const sealed = seal(other, "top-secret", "ctx");
    try {
      open(ring, sealed, "ctx");
      throw new Error("should not open");
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toContain('master key "k9"');
      expect((error as AppError).hint).toContain("PANEL_SECRET_KEY");
      expect(JSON.stringify((error as AppError).toJSON())).not.toContain("top-secret");
    }
  });

  it.each([
    ["", /is empty/],
    ["k1", /<id>:<base64 key>/],
    ["k1:c2hvcnQ=", /32 bytes/],
    ["bad id:" + Buffer.alloc(32).toString("base64"), /invalid key id/],
    [`k1:${Buffer.alloc(32).toString("base64")},k1:${Buffer.alloc(32).toString("base64")}`, /twice/],
  ])("rejects the key ring %j", (spec, message) => {
    expect(() => parseKeyRing(spec)).toThrow(message);
  });
});
