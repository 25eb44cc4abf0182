import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import recorded from "../../test/fixtures/attestation/recorded.json";
import { ConfigError } from "../env";
import { loadApprovedModels } from "./key-models";

const dir = mkdtempSync(path.join(tmpdir(), "key-models-"));
function file(content: unknown): string {
  const p = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

describe("approved key models file", () => {
  it("reads an array, a { statements } object or an MDS3 BLOB payload", () => {
    for (const content of [
      [recorded.statement],
      { statements: [recorded.statement] },
      {
        legalHeader: "…",
        no: 1,
        entries: [{ aaguid: recorded.aaguid, metadataStatement: recorded.statement }, { aaid: "u2f" }],
      },
    ]) {
      expect(loadApprovedModels(file(content)).map((s) => s.aaguid)).toEqual([recorded.aaguid]);
    }
  });

  it("stops with one line naming the file and the problem", () => {
    const cases: [unknown, RegExp][] = [
      ["{not json", /cannot read .* as JSON/],
      [[], /holds no metadata statement/],
      [[{ ...recorded.statement, aaguid: "nope" }], /statement 1 .*aaguid is not a FIDO2 AAGUID/],
      [
        [{ ...recorded.statement, attestationRootCertificates: [] }],
        /attestationRootCertificates lists no attestation root/,
      ],
    ];
    for (const [content, message] of cases) {
      const run = () => loadApprovedModels(file(content));
      expect(run).toThrow(ConfigError);
      expect(run).toThrow(message);
    }
    expect(() => loadApprovedModels(path.join(dir, "missing.json"))).toThrow(/cannot read/);
  });
});
