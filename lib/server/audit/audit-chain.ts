import { createHash } from "node:crypto";

/**
 * The audit trail is a hash chain: each event stores the hash of the one
 * before it and the hash of its own content with that link, so editing or
 * removing any event breaks every link after it. (Cutting events off the
 * end leaves a shorter valid chain: forwarding to syslog keeps a copy
 * outside the panel's reach.)
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
}

/** JSON with object keys sorted at every level: one byte sequence per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function hashEvent(content: ChainedContent): string {
  const body = canonicalJson({ ...content, at: content.at.toISOString() });
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
