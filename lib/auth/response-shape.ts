import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";

/**
 * What a browser sends back from `navigator.credentials.get()`, checked
 * before anything else looks at it: base64url strings of bounded length, the
 * fields the verification reads. Anything else is a malformed attempt, which
 * is refused, audited and counted like any other failed sign-in.
 */
const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);

export const assertionShape = z.looseObject({
  id: b64url(1024).min(1),
  rawId: b64url(1024).min(1),
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: b64url(8192).min(1),
    authenticatorData: b64url(8192).min(1),
    signature: b64url(2048).min(1),
    userHandle: b64url(1024).optional(),
  }),
  clientExtensionResults: z.looseObject({}).optional().default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

/** The assertion, or null when it does not have the shape of one. */
export function parseAssertion(raw: unknown): AuthenticationResponseJSON | null {
  const parsed = assertionShape.safeParse(raw);
  return parsed.success ? (parsed.data as unknown as AuthenticationResponseJSON) : null;
}

/** JSON text to a value, or undefined when it is not JSON (or nests deeper than a person's browser ever sends). */
export function parseJsonText(text: unknown, maxLength = 64 * 1024): unknown {
  if (typeof text !== "string" || text.length > maxLength) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
