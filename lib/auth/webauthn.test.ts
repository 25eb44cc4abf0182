import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assert, newCredential, register, type SoftCredential } from "../../test/support/soft-authenticator";
import {
  authenticationOptions,
  registrationOptions,
  relyingPartyFrom,
  verifyAssertion,
  verifyEnrolment,
  WebAuthnRefusal,
  type EnrolledKey,
  type StoredKey,
} from "./webauthn";

const rp = relyingPartyFrom("https://paillasse.unit.example");
const here = { origin: rp.origin, rpId: rp.id };
const challenge = () => randomBytes(32).toString("base64url");

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebAuthnRefusal);
    return (error as WebAuthnRefusal).reason;
  }
  throw new Error("expected a refusal");
}

async function enrolled(credential: SoftCredential): Promise<StoredKey> {
  const c = challenge();
  const key: EnrolledKey = await verifyEnrolment(rp, register(credential, c, { ...here, format: "packed" }), c);
  return {
    credentialId: key.credentialId,
    publicKey: key.publicKey,
    signCount: key.signCount,
    transports: key.transports,
    ownerUserHandle: credential.userHandle,
  };
}

describe("enrolment policy", () => {
  it("asks for a cross-platform, discoverable key with user verification, ES256 or EdDSA, attestation direct", async () => {
    const options = await registrationOptions(
      rp,
      { email: "a@unit.example", displayName: "A", webauthnUserId: randomBytes(32) },
      [randomBytes(16)],
    );
    expect(options.rp).toEqual({ id: "paillasse.unit.example", name: "Paillasse" });
    expect(options.authenticatorSelection).toMatchObject({
      authenticatorAttachment: "cross-platform",
      residentKey: "required",
      userVerification: "required",
    });
    expect(options.attestation).toBe("direct");
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7]);
    expect(options.excludeCredentials).toHaveLength(1);
  });

  it.each([["ES256"], ["EdDSA"]] as const)("accepts a device-bound %s key with user verification", async (alg) => {
    const credential = newCredential(alg);
    const c = challenge();
    const key = await verifyEnrolment(
      rp,
      register(credential, c, {
        ...here,
        format: alg === "ES256" ? "packed" : "none",
        aaguid: "ee882879-721c-4913-9775-3dfcce97072a",
      }),
      c,
    );
    expect(Buffer.from(key.credentialId).equals(credential.id)).toBe(true);
    expect(key.aaguid).toBe("ee882879-721c-4913-9775-3dfcce97072a");
    expect(key).toMatchObject({ backupEligible: false, backedUp: false, transports: ["usb"] });
  });

  it("refuses synced or backup-eligible credentials unless the policy allows them", async () => {
    const c = challenge();
    const response = register(newCredential(), c, { ...here, backupEligible: true, backedUp: true });
    expect(await refusal(verifyEnrolment(rp, response, c))).toBe("synced_credential");
    await expect(verifyEnrolment(rp, response, c, { allowSynced: true })).resolves.toMatchObject({ backedUp: true });
  });

  it("refuses a key that did not verify the user", async () => {
    const c = challenge();
    expect(await refusal(verifyEnrolment(rp, register(newCredential(), c, { ...here, userVerified: false }), c))).toBe(
      "user_not_verified",
    );
  });

  it("refuses algorithms other than ES256 and EdDSA", async () => {
    const c = challenge();
    expect(await refusal(verifyEnrolment(rp, register(newCredential("RS256"), c, here), c))).toBe(
      "algorithm_not_allowed",
    );
    // Even when the browser does not say which algorithm it used.
    const silent = register(newCredential("RS256"), c, here);
    delete (silent.response as { publicKeyAlgorithm?: number }).publicKeyAlgorithm;
    expect(await refusal(verifyEnrolment(rp, silent, c))).toBe("algorithm_not_allowed");
  });

  it("refuses the wrong origin, the wrong RP ID and the wrong challenge", async () => {
    const c = challenge();
    expect(
      await refusal(verifyEnrolment(rp, register(newCredential(), c, { ...here, origin: "https://evil.example" }), c)),
    ).toBe("verification_failed");
    expect(await refusal(verifyEnrolment(rp, register(newCredential(), c, { ...here, rpId: "evil.example" }), c))).toBe(
      "verification_failed",
    );
    expect(await refusal(verifyEnrolment(rp, register(newCredential(), c, here), challenge()))).toBe(
      "verification_failed",
    );
  });
});

describe("sign-in policy", () => {
  it("offers no credential list (discoverable keys) and requires user verification", async () => {
    const options = await authenticationOptions(rp);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe("required");
    expect(options.rpId).toBe(rp.id);
  });

  it("accepts a fresh assertion from the key's owner and returns the new counter", async () => {
    const credential = newCredential();
    const key = await enrolled(credential);
    const c = challenge();
    await expect(verifyAssertion(rp, assert(credential, c, here), c, key)).resolves.toEqual({ newSignCount: 1 });
  });

  it("refuses a replayed assertion as a counter regression", async () => {
    const credential = newCredential();
    const key = await enrolled(credential);
    const c = challenge();
    const response = assert(credential, c, { ...here, counter: 5 });
    const { newSignCount } = await verifyAssertion(rp, response, c, key);
    expect(await refusal(verifyAssertion(rp, response, c, { ...key, signCount: newSignCount }))).toBe(
      "counter_regression",
    );
    const c2 = challenge();
    expect(
      await refusal(verifyAssertion(rp, assert(credential, c2, { ...here, counter: 3 }), c2, { ...key, signCount: 5 })),
    ).toBe("counter_regression");
  });

  it("refuses an assertion whose user handle is not the key owner's", async () => {
    const credential = newCredential();
    const key = await enrolled(credential);
    const c = challenge();
    expect(
      await refusal(verifyAssertion(rp, assert(credential, c, { ...here, userHandle: randomBytes(32) }), c, key)),
    ).toBe("user_handle_mismatch");
  });

  it("refuses the wrong origin, RP ID or challenge, a missing user verification and a synced credential", async () => {
    const credential = newCredential();
    const key = await enrolled(credential);
    const c = challenge();
    expect(
      await refusal(verifyAssertion(rp, assert(credential, c, { ...here, origin: "https://evil.example" }), c, key)),
    ).toBe("verification_failed");
    expect(await refusal(verifyAssertion(rp, assert(credential, c, { ...here, rpId: "evil.example" }), c, key))).toBe(
      "verification_failed",
    );
    expect(await refusal(verifyAssertion(rp, assert(credential, c, here), challenge(), key))).toBe(
      "verification_failed",
    );
    expect(await refusal(verifyAssertion(rp, assert(credential, c, { ...here, userVerified: false }), c, key))).toBe(
      "user_not_verified",
    );
    expect(await refusal(verifyAssertion(rp, assert(credential, c, { ...here, backupEligible: true }), c, key))).toBe(
      "synced_credential",
    );
  });

  it("refuses a signature made by another key", async () => {
    const credential = newCredential();
    const key = await enrolled(credential);
    const impostor = { ...newCredential(), id: credential.id, userHandle: credential.userHandle };
    const c = challenge();
    expect(await refusal(verifyAssertion(rp, assert(impostor, c, here), c, key))).toBe("verification_failed");
  });

  it("judges the counter only once the signature verified: a forgery with a low counter is not a 'cloned key'", async () => {
    const credential = newCredential();
    const key = { ...(await enrolled(credential)), signCount: 40 };
    // Anyone can copy the credential id and user handle of a sign-in; not the private key.
    const impostor = { ...newCredential(), id: credential.id, userHandle: credential.userHandle };
    for (const counter of [0, 3, 40]) {
      const c = challenge();
      expect(await refusal(verifyAssertion(rp, assert(impostor, c, { ...here, counter }), c, key))).toBe(
        "verification_failed",
      );
    }
    // The key itself, going backwards: that is a regression.
    const c = challenge();
    expect(await refusal(verifyAssertion(rp, assert(credential, c, { ...here, counter: 3 }), c, key))).toBe(
      "counter_regression",
    );
  });
});
