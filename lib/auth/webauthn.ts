import { createHash } from "node:crypto";
import { decodeAttestationObject } from "@simplewebauthn/server/helpers";
import {
  MetadataService,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type MetadataStatement,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";

/**
 * The FIDO2 ceremonies and the panel's own policy on top of SimpleWebAuthn,
 * which accepts "none" and self attestation, synced credentials, and does not
 * tie a credential to the account it claims (TESTENV WebAuthn notes): those
 * checks are ours, here, and every refusal carries a reason code for the
 * audit log (the person only ever sees one generic message).
 */

/** COSE algorithm ids: EdDSA and ES256 only (no RSA, no ES384/512). */
export const ALLOWED_ALGORITHMS = [-8, -7];

export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

/** The relying party derived from the panel's public URL. */
export function relyingPartyFrom(panelUrl: string): RelyingParty {
  const url = new URL(panelUrl);
  return { id: url.hostname, name: "Paillasse", origin: url.origin };
}

export interface KeyPolicy {
  /** Accept synced / backup-eligible passkeys. Default false: device-bound hardware keys only. */
  allowSynced?: boolean;
  /**
   * Strict mode: when set, only these authenticator models may enrol, each
   * given by its FIDO metadata statement. A key must prove its model with a
   * full attestation whose certificate chain ends at one of the statement's
   * attestation roots ("none" and self attestation are refused).
   */
  approvedModels?: MetadataStatement[];
}

export type RefusalReason =
  | "verification_failed"
  | "user_not_verified"
  | "synced_credential"
  | "algorithm_not_allowed"
  | "model_not_allowed"
  | "attestation_missing"
  | "attestation_untrusted"
  | "user_handle_mismatch"
  | "counter_regression";

/** A refused ceremony. `reason` goes to the audit log; the user sees one generic message. */
export class WebAuthnRefusal extends Error {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, detail: string) {
    super(detail);
    this.name = "WebAuthnRefusal";
    this.reason = reason;
  }
}

export async function registrationOptions(
  rp: RelyingParty,
  user: { email: string; displayName: string; webauthnUserId: Uint8Array },
  excludeCredentialIds: Uint8Array[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new Uint8Array(user.webauthnUserId),
    attestationType: "direct",
    excludeCredentials: excludeCredentialIds.map((id) => ({ id: Buffer.from(id).toString("base64url") })),
    authenticatorSelection: {
      authenticatorAttachment: "cross-platform",
      residentKey: "required",
      userVerification: "required",
    },
    supportedAlgorithmIDs: ALLOWED_ALGORITHMS,
    timeout: 120_000,
  });
}

export interface EnrolledKey {
  credentialId: Uint8Array;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  aaguid: string;
  /** The model's name from its FIDO metadata statement, when known. */
  modelName: string | null;
  attestationFormat: string;
  backupEligible: boolean;
  backedUp: boolean;
}

/** Verify a registration and apply the key policy. Throws WebAuthnRefusal. */
export async function verifyEnrolment(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
  policy: KeyPolicy = {},
): Promise<EnrolledKey> {
  const algorithm = coseAlgorithmOf(response);
  if (algorithm !== null && !ALLOWED_ALGORITHMS.includes(algorithm)) {
    throw new WebAuthnRefusal("algorithm_not_allowed", `COSE algorithm ${algorithm} is not allowed`);
  }
  const strict = policy.approvedModels !== undefined;
  await loadMetadata(policy.approvedModels);
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALLOWED_ALGORITHMS,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/user could not be verified|user verification/i.test(message))
      throw new WebAuthnRefusal("user_not_verified", message);
    if (/public key alg|algorithm/i.test(message)) throw new WebAuthnRefusal("algorithm_not_allowed", message);
    if (strict && /No metadata statement found/i.test(message)) throw new WebAuthnRefusal("model_not_allowed", message);
    if (strict && /certificate|trust anchor|x5c|Packed\|Full/i.test(message))
      throw new WebAuthnRefusal("attestation_untrusted", message);
    throw new WebAuthnRefusal("verification_failed", message);
  }
  if (!verification.verified) throw new WebAuthnRefusal("verification_failed", "registration not verified");
  const info = verification.registrationInfo;
  if (!info.userVerified) throw new WebAuthnRefusal("user_not_verified", "the key did not verify the user (PIN)");
  const backupEligible = info.credentialDeviceType === "multiDevice";
  if ((backupEligible || info.credentialBackedUp) && !policy.allowSynced) {
    throw new WebAuthnRefusal("synced_credential", "synced or backup-eligible credentials are not accepted");
  }
  let modelName: string | null = null;
  if (strict) {
    const statement = policy.approvedModels!.find((m) => m.aaguid === info.aaguid);
    if (!statement) {
      throw new WebAuthnRefusal("model_not_allowed", `authenticator model ${info.aaguid} is not on the allow-list`);
    }
    // The library checks the chain against the metadata only for full attestations: "none" and self
    // attestation prove no model at all, so strict mode refuses them here.
    const attStmt = decodeAttestationObject(info.attestationObject).get("attStmt");
    if (info.fmt === "none" || !attStmt.get("x5c")) {
      throw new WebAuthnRefusal("attestation_missing", `the key gave no attestation chain (format ${info.fmt})`);
    }
    modelName = statement.description;
  }
  return {
    credentialId: Buffer.from(info.credential.id, "base64url"),
    publicKey: info.credential.publicKey,
    signCount: info.credential.counter,
    transports: (response.response.transports ?? []) as string[],
    aaguid: info.aaguid,
    modelName,
    attestationFormat: info.fmt,
    backupEligible,
    backedUp: info.credentialBackedUp,
  };
}

export async function authenticationOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // Discoverable credentials: no name to type, no list of keys handed out.
  return generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: "required",
    allowCredentials: [],
    timeout: 120_000,
  });
}

export interface StoredKey {
  credentialId: Uint8Array;
  publicKey: Uint8Array;
  signCount: number;
  transports: string[];
  /** The owner's WebAuthn user handle. */
  ownerUserHandle: Uint8Array;
}

/**
 * Verify an assertion against the stored key of the credential id it names.
 * Returns the new signature counter. Throws WebAuthnRefusal; a
 * "counter_regression" (judged only after the signature verified) means the
 * key may be cloned: suspend it. An assertion whose signature does not verify
 * is "verification_failed", whatever its counter, and must change nothing.
 */
export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  key: StoredKey,
  policy: KeyPolicy = {},
): Promise<{ newSignCount: number }> {
  const handle = response.response.userHandle;
  if (!handle || !Buffer.from(handle, "base64url").equals(Buffer.from(key.ownerUserHandle))) {
    throw new WebAuthnRefusal("user_handle_mismatch", "the assertion's user handle is not the key owner's");
  }
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: {
        id: Buffer.from(key.credentialId).toString("base64url"),
        publicKey: new Uint8Array(key.publicKey),
        // 0: the library compares counters *before* it checks the signature, so a forged assertion
        // (anyone can copy a credential id and user handle) would pass as a "cloned key" and get the
        // real key suspended. The counter is judged below, once the signature has verified.
        counter: 0,
        transports: key.transports as AuthenticatorTransport[],
      },
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/user could not be verified|user verification/i.test(message))
      throw new WebAuthnRefusal("user_not_verified", message);
    throw new WebAuthnRefusal("verification_failed", message);
  }
  if (!verification.verified) throw new WebAuthnRefusal("verification_failed", "assertion not verified");
  const info = verification.authenticationInfo;
  // Signed by the key itself: only now may a counter that did not move forward mean a cloned key.
  if ((key.signCount > 0 || info.newCounter > 0) && info.newCounter <= key.signCount) {
    throw new WebAuthnRefusal(
      "counter_regression",
      `the signature counter went from ${key.signCount} to ${info.newCounter} (a cloned key?)`,
    );
  }
  if ((info.credentialDeviceType === "multiDevice" || info.credentialBackedUp) && !policy.allowSynced) {
    throw new WebAuthnRefusal("synced_credential", "the credential reports itself synced or backup-eligible");
  }
  return { newSignCount: info.newCounter };
}

/** The COSE algorithm of the credential public key in a registration response, or null if unreadable. */
function coseAlgorithmOf(response: RegistrationResponseJSON): number | null {
  const alg = response.response.publicKeyAlgorithm;
  return typeof alg === "number" ? alg : null;
}

let metadataFingerprint: string | undefined;

/**
 * SimpleWebAuthn's MetadataService is one per process: (re)load it only when
 * the approved models change. Strict mode with exactly the approved
 * statements, never a download (the panel has no Internet access); no
 * approved models: permissive and empty, so it checks nothing.
 */
async function loadMetadata(models: MetadataStatement[] | undefined): Promise<void> {
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(models ?? null))
    .digest("hex");
  if (fingerprint === metadataFingerprint) return;
  await MetadataService.initialize({
    mdsServers: [],
    statements: models ?? [],
    verificationMode: models ? "strict" : "permissive",
  });
  metadataFingerprint = fingerprint;
}
