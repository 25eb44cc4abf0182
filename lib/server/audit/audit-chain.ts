import { createHash, createHmac, hkdfSync } from "node:crypto";
import type { KeyRing } from "../../crypto";
import { canonicalJson } from "../../canonical-json";

/**
 * The audit trail is a keyed hash chain: each event stores the hash of the
 * one before it and an HMAC-SHA256 of its own content with that link, under
 * a key derived from the master key (which lives outside the database), and
 * the id of the master key it was derived from (`chainKeyId`, so the master
 * key can rotate: the ring keeps the old key to check old events). Editing or
 * removing any event breaks every link after it, and someone with write
 * access to the database but not the master key cannot recompute the chain.
 * Events written before the chain was keyed carry a plain SHA-256 and no key
 * id; they are accepted only as the start of the trail, before a keyed event
 * that seals them (a trail rewritten into plain hashes is refused). Cutting
 * events off the end leaves a shorter valid chain: forwarding to syslog keeps
 * a copy outside the panel's reach.
 */
export const GENESIS_HASH = "0".repeat(64);

export interface ChainedContent {
  at: Date;
  actorType: string;
  operatorId: string | null;
  actorLabel: string | null;
  securityKeyId: string | null;
  ip: string | null;
  userAgent: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  unitId: string | null;
  instanceId: string | null;
  params: unknown;
  outcome: string;
  reason: string | null;
  prevHash: string;
  /** Id of the master key the HMAC key was derived from; null for the plain SHA-256 events of older versions. */
  chainKeyId: string | null;
}

/** The key of the chain's HMAC, derived from one master key of the ring (never stored). */
export function auditChainKey(ring: KeyRing, id = ring.current.id): { id: string; key: Buffer } | null {
  const master = ring.all.get(id);
  if (!master) return null;
  return { id, key: Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), "paillasse audit chain", 32)) };
}

/**
 * The event's hash: HMAC-SHA256 under `key` (whose id is `content.chainKeyId`), or for an event of the unkeyed
 * era (chainKeyId null, no key) the plain SHA-256 it was written with.
 */
export function hashEvent(content: ChainedContent, key: Buffer | null): string {
  const { chainKeyId, ...rest } = content;
  const body = canonicalJson({ ...rest, ...(chainKeyId ? { chainKeyId } : {}), at: content.at.toISOString() });
  if (chainKeyId) {
    if (!key) throw new Error(`no key to hash an event of chain key "${chainKeyId}"`);
    return createHmac("sha256", key).update(body, "utf8").digest("hex");
  }
  return createHash("sha256").update(body, "utf8").digest("hex");
}

const SECRET_KEY_NAME =
  /pass(word|phrase)?|secret|token|private|credential|api[-_]?key|^key$|Enc$|cookie|authorization/i;

/** Parameters as they may be kept forever: values under secret-looking names are replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY_NAME.test(k) ? "[redacted]" : redact(v),
      ]),
    );
  }
  return value;
}
