import type { MetadataStatement, RegistrationResponseJSON } from "@simplewebauthn/server";
import { afterAll, describe, expect, it } from "vitest";
import recorded from "../../test/fixtures/attestation/recorded.json";
import { relyingPartyFrom, verifyEnrolment, WebAuthnRefusal, type KeyPolicy } from "./webauthn";

/**
 * Strict mode (an allow-list of approved models checked against their FIDO
 * metadata) on recorded attestation data: test/fixtures/attestation/record.ts
 * made a test key model with its own attestation root, its metadata
 * statement, and registrations from that model, from a chain the metadata
 * does not vouch for, with self attestation and with none.
 */
const rp = relyingPartyFrom(recorded.origin);
const statement = recorded.statement as unknown as MetadataStatement;
const strict: KeyPolicy = { approvedModels: [statement] };
const response = (name: keyof typeof recorded.responses) =>
  recorded.responses[name] as unknown as RegistrationResponseJSON;

async function reason(policy: KeyPolicy, name: keyof typeof recorded.responses): Promise<string> {
  try {
    await verifyEnrolment(rp, response(name), recorded.challenge, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(WebAuthnRefusal);
    return (error as WebAuthnRefusal).reason;
  }
  throw new Error("expected a refusal");
}

describe("strict allow-list of key models, on recorded attestations", () => {
  afterAll(async () => {
    // Leave the process-wide metadata service as the default policy has it.
    await verifyEnrolment(rp, response("none"), recorded.challenge, {}).catch(() => undefined);
  });

  it("accepts an approved model whose attestation chains to its metadata root, and names the model", async () => {
    const key = await verifyEnrolment(rp, response("approved"), recorded.challenge, strict);
    expect(key.aaguid).toBe(recorded.aaguid);
    expect(key.modelName).toBe("Paillasse Test Key (FIDO2, USB)");
    expect(key.attestationFormat).toBe("packed");
  });

  it("refuses the same AAGUID when the attestation chain is not the model's", async () => {
    expect(await reason(strict, "rogueChain")).toBe("attestation_untrusted");
  });

  it("refuses self attestation and no attestation: they prove no model", async () => {
    expect(await reason(strict, "selfAttestation")).toBe("attestation_missing");
    expect(await reason(strict, "none")).toBe("attestation_missing");
  });

  it("refuses a model that is not on the list", async () => {
    const otherModel = { ...statement, aaguid: "0bb43545-fd2c-4185-87dd-feb0b2916ace" } as MetadataStatement;
    expect(await reason({ approvedModels: [otherModel] }, "approved")).toBe("model_not_allowed");
  });

  it("without an allow-list, the default policy accepts any hardware key, model unknown", async () => {
    for (const name of ["approved", "rogueChain", "selfAttestation", "none"] as const) {
      const key = await verifyEnrolment(rp, response(name), recorded.challenge, {});
      expect(key.modelName).toBeNull();
    }
  });
});
