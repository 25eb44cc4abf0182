import { readFileSync } from "node:fs";
import type { MetadataStatement } from "@simplewebauthn/server";
import { z } from "zod";
import { ConfigError } from "../env";

const statementSchema = z
  .object({
    aaguid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      message: "is not a FIDO2 AAGUID (statements of U2F/UAF authenticators do not apply)",
    }),
    description: z.string().min(1),
    attestationRootCertificates: z.array(z.string().min(1)).min(1, { message: "lists no attestation root" }),
    attestationTypes: z.array(z.string()),
    authenticationAlgorithms: z.array(z.string()).min(1),
  })
  .passthrough();

/**
 * The approved key models of the strict policy, read from a JSON file: an
 * array of FIDO metadata statements, `{ "statements": [...] }`, or the
 * decoded payload of a FIDO MDS3 BLOB (`{ "entries": [{ "metadataStatement": … }] }`).
 * A malformed file stops the panel with one line naming it.
 */
export function loadApprovedModels(file: string): MetadataStatement[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(
      `PANEL_APPROVED_KEY_MODELS_FILE: cannot read ${file} as JSON (${(error as Error).message.split("\n")[0]}).`,
    );
  }
  const list = Array.isArray(json)
    ? json
    : json && typeof json === "object" && Array.isArray((json as { statements?: unknown }).statements)
      ? (json as { statements: unknown[] }).statements
      : json && typeof json === "object" && Array.isArray((json as { entries?: unknown }).entries)
        ? (json as { entries: { metadataStatement?: unknown }[] }).entries
            .map((e) => e.metadataStatement)
            .filter((s) => s && typeof s === "object" && "aaguid" in s)
        : null;
  if (!list || list.length === 0) {
    throw new ConfigError(
      `PANEL_APPROVED_KEY_MODELS_FILE: ${file} holds no metadata statement (expected an array of FIDO metadata statements).`,
    );
  }
  return list.map((raw, index) => {
    const parsed = statementSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(
        `PANEL_APPROVED_KEY_MODELS_FILE: statement ${index + 1} of ${file}: ${issue.path.join(".") || "statement"} ${issue.message}.`,
      );
    }
    return parsed.data as unknown as MetadataStatement;
  });
}
