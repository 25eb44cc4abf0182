import canonicalize from "canonicalize";

/**
 * The JSON Canonicalization Scheme (RFC 8785): object keys sorted by UTF-16
 * code units at every level, ECMAScript number and string forms, no
 * whitespace. One byte sequence per value: what the audit chain hashes and
 * what a step-up touch is bound to. `undefined` members are left out, as
 * JSON.stringify does; a missing value is `null`.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value ?? null) ?? "null";
}
