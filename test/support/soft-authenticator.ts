import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { encodeCBOR, type CBORType } from "@levischuck/tiny-cbor";

/**
 * A software FIDO2 authenticator for unit tests of the ceremony policy: it
 * builds real registration and assertion responses (CBOR, COSE keys,
 * signatures) with whatever flags, algorithm, origin or RP ID a test needs,
 * including the ones a real key would never produce.
 */

export type Algorithm = "ES256" | "EdDSA" | "RS256";

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 };
const b64url = (data: Uint8Array | Buffer) => Buffer.from(data).toString("base64url");

export interface SoftCredential {
  id: Buffer;
  algorithm: Algorithm;
  privateKey: KeyObject;
  coseKey: Uint8Array;
  userHandle: Buffer;
  counter: number;
}

function coseKeyOf(algorithm: Algorithm, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" }) as Record<string, string>;
  const bytes = (v: string) => new Uint8Array(Buffer.from(v, "base64url"));
  const map = new Map<number, CBORType>();
  if (algorithm === "ES256") {
    map.set(1, 2).set(3, -7).set(-1, 1).set(-2, bytes(jwk.x!)).set(-3, bytes(jwk.y!));
  } else if (algorithm === "EdDSA") {
    map.set(1, 1).set(3, -8).set(-1, 6).set(-2, bytes(jwk.x!));
  } else {
    map.set(1, 3).set(3, -257).set(-1, bytes(jwk.n!)).set(-2, bytes(jwk.e!));
  }
  return encodeCBOR(map);
}

export function newCredential(algorithm: Algorithm = "ES256", userHandle: Buffer = randomBytes(32)): SoftCredential {
  const pair =
    algorithm === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : algorithm === "EdDSA"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    id: randomBytes(32),
    algorithm,
    privateKey: pair.privateKey,
    coseKey: coseKeyOf(algorithm, pair.publicKey),
    userHandle,
    counter: 0,
  };
}

function signWith(credential: SoftCredential, data: Buffer): Buffer {
  return credential.algorithm === "EdDSA"
    ? sign(null, data, credential.privateKey)
    : sign("sha256", data, credential.privateKey);
}

export interface CeremonyOptions {
  origin: string;
  rpId: string;
  userVerified?: boolean;
  backupEligible?: boolean;
  backedUp?: boolean;
  /** Attestation format: "none", or "packed" (self attestation, or full with `attestation`). */
  format?: "none" | "packed";
  aaguid?: string;
  /** Full (basic) packed attestation: the model's attestation key and its certificate chain (leaf first, DER). */
  attestation?: { key: KeyObject; x5c: Buffer[] };
}

function flags(o: CeremonyOptions, extra: number): number {
  return (
    FLAG.UP |
    (o.userVerified === false ? 0 : FLAG.UV) |
    (o.backupEligible ? FLAG.BE : 0) |
    (o.backedUp ? FLAG.BS : 0) |
    extra
  );
}

function counterBytes(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function register(credential: SoftCredential, challenge: string, o: CeremonyOptions) {
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: "webauthn.create", challenge, origin: o.origin, crossOrigin: false }),
  );
  const aaguid = Buffer.from((o.aaguid ?? "00000000-0000-0000-0000-000000000000").replace(/-/g, ""), "hex");
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credential.id.length);
  const authData = Buffer.concat([
    createHash("sha256").update(o.rpId).digest(),
    Buffer.from([flags(o, FLAG.AT)]),
    counterBytes(credential.counter),
    aaguid,
    idLength,
    credential.id,
    Buffer.from(credential.coseKey),
  ]);
  const alg = credential.algorithm === "ES256" ? -7 : credential.algorithm === "EdDSA" ? -8 : -257;
  const attStmt = new Map<string, CBORType>();
  if (o.format === "packed") {
    const signed = Buffer.concat([authData, createHash("sha256").update(clientDataJSON).digest()]);
    if (o.attestation) {
      attStmt.set("alg", -7);
      attStmt.set("sig", new Uint8Array(sign("sha256", signed, o.attestation.key)));
      attStmt.set(
        "x5c",
        o.attestation.x5c.map((der) => new Uint8Array(der)),
      );
    } else {
      attStmt.set("alg", alg);
      attStmt.set("sig", new Uint8Array(signWith(credential, signed)));
    }
  }
  const attestationObject = encodeCBOR(
    new Map<string, CBORType>([
      ["fmt", o.format ?? "none"],
      ["attStmt", attStmt],
      ["authData", new Uint8Array(authData)],
    ]),
  );
  return {
    id: b64url(credential.id),
    rawId: b64url(credential.id),
    type: "public-key" as const,
    response: {
      clientDataJSON: b64url(clientDataJSON),
      attestationObject: b64url(attestationObject),
      transports: ["usb" as const],
      publicKeyAlgorithm: alg,
    },
    clientExtensionResults: {},
    authenticatorAttachment: "cross-platform" as const,
  };
}

/** An assertion; by default the counter goes up by one, as a real key's does. */
export function assert(
  credential: SoftCredential,
  challenge: string,
  o: CeremonyOptions & { counter?: number; userHandle?: Buffer },
) {
  credential.counter = o.counter ?? credential.counter + 1;
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: "webauthn.get", challenge, origin: o.origin, crossOrigin: false }),
  );
  const authData = Buffer.concat([
    createHash("sha256").update(o.rpId).digest(),
    Buffer.from([flags(o, 0)]),
    counterBytes(credential.counter),
  ]);
  const signature = signWith(
    credential,
    Buffer.concat([authData, createHash("sha256").update(clientDataJSON).digest()]),
  );
  return {
    id: b64url(credential.id),
    rawId: b64url(credential.id),
    type: "public-key" as const,
    response: {
      clientDataJSON: b64url(clientDataJSON),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      userHandle: b64url(o.userHandle ?? credential.userHandle),
    },
    clientExtensionResults: {},
    authenticatorAttachment: "cross-platform" as const,
  };
}
