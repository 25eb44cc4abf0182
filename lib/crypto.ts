import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "./errors";
import { msg } from "./i18n/message";

/**
 * Secrets at rest (database passwords, TLS and SSH keys, backup keys) are
 * sealed with AES-256-GCM under the panel master key, which lives outside the
 * database (PANEL_SECRET_KEY or its _FILE variant, or the generated key file).
 *
 * Key ring: `PANEL_SECRET_KEY` is a comma-separated list of `<id>:<base64 key>`;
 * the first key seals, every listed key opens. To rotate, put a new key first,
 * keep the old one after it, run the re-encryption, then drop the old one.
 *
 * Sealed form: `pl1:<key id>:<iv>:<ciphertext+tag>` (base64url parts). The
 * caller's context (e.g. "DockerHost.tlsClientKeyEnc:<id>") is bound as
 * additional authenticated data, so a sealed value copied to another row or
 * column does not open.
 */

const FORMAT = "pl1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface KeyRing {
  current: { id: string; key: Buffer };
  all: Map<string, Buffer>;
}

/** Parse a key ring specification; throws AppError("config") with a readable reason. */
export function parseKeyRing(spec: string): KeyRing {
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw configError("is empty");
  const all = new Map<string, Buffer>();
  let current: KeyRing["current"] | undefined;
  for (const entry of entries) {
    const sep = entry.indexOf(":");
    if (sep < 0) throw configError("must list keys as <id>:<base64 key> (generate one with `npm run key:generate`)");
    const id = entry.slice(0, sep);
    const key = Buffer.from(entry.slice(sep + 1), "base64");
    if (!KEY_ID.test(id)) throw configError(`has an invalid key id "${id}" (letters, digits, - and _ only)`);
    if (key.length !== 32) throw configError(`key "${id}" must be 32 bytes encoded in base64`);
    if (all.has(id)) throw configError(`lists key id "${id}" twice`);
    all.set(id, key);
    current ??= { id, key };
  }
  return { current: current!, all };
}

/** A new key ring specification with one fresh random key. */
export function generateKeySpec(id = "k1"): string {
  return `${id}:${randomBytes(32).toString("base64")}`;
}

/** Seal `plaintext`, binding it to `context`. */
export function seal(ring: KeyRing, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", ring.current.key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [FORMAT, ring.current.id, iv.toString("base64url"), body.toString("base64url")].join(":");
}

/** Open a sealed value; throws AppError without revealing anything about the content. */
export function open(ring: KeyRing, sealed: string, context: string): string {
  const parts = sealed.split(":");
  if (parts.length !== 4 || parts[0] !== FORMAT) {
    throw new AppError("internal", "A stored secret is not in a format this panel can read.", {
      hint: "It may have been written by another tool; enter the secret again.",
    });
  }
  const [, id, ivText, bodyText] = parts as [string, string, string, string];
  const key = ring.all.get(id);
  if (!key) {
    throw new AppError("config", msg`A stored secret was sealed with master key "${id}", which is not configured.`, {
      hint: msg`Add key "${id}" after the current one in PANEL_SECRET_KEY, then re-encrypt the secrets.`,
    });
  }
  const iv = Buffer.from(ivText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (iv.length !== 12 || body.length < 16) {
    throw new AppError("internal", "A stored secret is damaged and cannot be opened.", {
      hint: "Enter the secret again.",
    });
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    throw new AppError("internal", "A stored secret failed its integrity check and was not used.", {
      hint: "The value was altered or belongs to another record; enter the secret again.",
    });
  }
}

/** True when the value was sealed with a key other than the current one. */
export function needsRotation(ring: KeyRing, sealed: string): boolean {
  return sealed.split(":")[1] !== ring.current.id;
}

/** Re-seal a value under the current key (no-op when it already is). */
export function reseal(ring: KeyRing, sealed: string, context: string): string {
  return needsRotation(ring, sealed) ? seal(ring, open(ring, sealed, context), context) : sealed;
}

function configError(reason: string): AppError {
  return new AppError("config", msg`PANEL_SECRET_KEY ${reason}.`, {
    hint: "See .env.example for the format of the master key.",
  });
}
