import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareSchema, dmmfOf, expectedFacts } from "../support/schema-compare";
import { useFreshDatabase } from "../support/fresh-database";

const schemaText = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");

/** Replace exactly one occurrence, so a mutation that no longer applies fails loudly. */
function mutate(text: string, from: string | RegExp, to: string): string {
  const matches = text.match(new RegExp(from, "g"));
  if (!matches || matches.length !== 1)
    throw new Error(`mutation target ${String(from)} found ${matches?.length ?? 0} times`);
  return text.replace(from, to);
}

describe("migrations match schema.prisma", () => {
  const database = useFreshDatabase("drift", { migrated: true });

  it("a database migrated from empty holds exactly what schema.prisma declares", async () => {
    const diff = await compareSchema(schemaText, database.url);
    expect(diff).toEqual({ missing: [], unexpected: [] });
  });

  it("covers every model, and sees tables, columns, enums, indexes and foreign keys", () => {
    const dmmf = dmmfOf(schemaText);
    const facts = [...expectedFacts(dmmf)];
    for (const model of dmmf.datamodel.models) expect(facts).toContain(`table ${model.name}`);
    expect(facts).toContain("column Operator.email text NOT NULL default=-");
    expect(facts).toContain(`column DockerHost.reachability "Reachability" NOT NULL default='unknown'::"Reachability"`);
    expect(facts).toContain("enum HostConnectionKind (socket,tcp-tls,ssh)");
    expect(facts).toContain("index Instance_webHostId_webContainerName_key UNIQUE (webHostId,webContainerName)");
    expect(facts).toContain("index UnitMembership_pkey PRIMARY (operatorId,unitId)");
    expect(facts).toContain(
      "fk SecurityKey_operatorId_fkey (operatorId) -> Operator(id) ON DELETE RESTRICT ON UPDATE CASCADE",
    );
    expect(facts.length).toBeGreaterThan(250);
  });

  // A drifted copy of the schema must be caught, whatever kind of drift it is.
  const drifts: [string, string, RegExp, string, RegExp][] = [
    [
      "nullability",
      "Operator.displayName optional",
      /displayName\s+String\n/,
      "displayName String?\n",
      /column Operator\.displayName text NOT NULL/,
    ],
    ["type", "port Int?", /port\s+Int\?/, "port BigInt?", /column DockerHost\.port/],
    [
      "default",
      "retentionDays Int @default(60)",
      /retentionDays\s+Int\s+@default\(60\)/,
      "retentionDays Int @default(30)",
      /BackupPolicy\.retentionDays/,
    ],
    [
      "new column",
      "new field",
      /  imageTag\s+String\n/,
      "  imageTag String\n  imageDigest String\n",
      /Instance\.imageDigest/,
    ],
    [
      "unique",
      "BackupPolicy.name not unique",
      /(model BackupPolicy \{\n\s+id\s+String\s+@id @default\(uuid\(\)\)\n\s+name\s+String)\s+@unique/,
      "$1",
      /BackupPolicy_name_key/,
    ],
    [
      "index",
      "new index",
      /  @@index\(\[status\]\)\n\}/,
      "  @@index([status])\n  @@index([trigger])\n}",
      /Backup_trigger_idx/,
    ],
    ["enum value", "new enum value", /  database_upgrade\n\}/, "  database_upgrade\n  delete\n}", /enum OperationKind/],
    [
      "foreign key action",
      "onDelete",
      /fields: \[operatorId\], references: \[id\], onDelete: Restrict\)/,
      "fields: [operatorId], references: [id], onDelete: Cascade)",
      /SecurityKey_operatorId_fkey/,
    ],
  ];

  it.each(drifts)("a drifted schema (%s: %s) is reported", async (_kind, _what, from, to, reported) => {
    const drifted = mutate(schemaText, from, to);
    const diff = await compareSchema(drifted, database.url);
    const all = [...diff.missing, ...diff.unexpected];
    expect(all.length).toBeGreaterThan(0);
    expect(all.some((fact) => reported.test(fact))).toBe(true);
  });
});
