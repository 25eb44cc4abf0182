import { hkdfSync } from "node:crypto";
import { parseKeyRing, type KeyRing } from "../crypto";
import { env } from "../env";
import { AppError } from "../errors";
import { loadApprovedModels } from "./key-models";
import type { SessionLimits } from "./sessions";
import { relyingPartyFrom, type KeyPolicy, type RelyingParty } from "./webauthn";

export interface AuthConfig {
  rp: RelyingParty;
  limits: SessionLimits;
  /** Signs and encrypts the session cookie; derived from the master key, never stored. */
  secret: string;
  secureCookies: boolean;
  policy: KeyPolicy;
}

let cached: AuthConfig | undefined;

/** The key that signs and encrypts the session cookie: derived from the master key, never stored. */
export function sessionCookieSecret(ring: KeyRing): string {
  return Buffer.from(hkdfSync("sha256", ring.current.key, Buffer.alloc(0), "paillasse session cookie", 32)).toString(
    "base64url",
  );
}

export function authConfig(): AuthConfig {
  if (cached) return cached;
  const e = env();
  if (!e.PANEL_SECRET_KEY) {
    throw new AppError("config", "The master key is not configured.", {
      hint: "Start the panel with `npm start`, which creates one on first start.",
    });
  }
  const secret = sessionCookieSecret(parseKeyRing(e.PANEL_SECRET_KEY));
  cached = {
    rp: relyingPartyFrom(e.PANEL_URL),
    limits: { absoluteMs: e.PANEL_SESSION_MAX_HOURS * 3600_000, idleMs: e.PANEL_SESSION_IDLE_MINUTES * 60_000 },
    secret,
    secureCookies: e.PANEL_URL.startsWith("https://"),
    // Default: device-bound hardware keys with user verification; strict allow-list when configured.
    policy: e.PANEL_APPROVED_KEY_MODELS_FILE
      ? { approvedModels: loadApprovedModels(e.PANEL_APPROVED_KEY_MODELS_FILE) }
      : {},
  };
  return cached;
}
