import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, SECRET_FIELDS, type Db } from "../../lib/server/db/client";
import { dmmfOf } from "../support/schema-compare";
import { useFreshDatabase } from "../support/fresh-database";

const schemaText = readFileSync(path.resolve(import.meta.dirname, "../../prisma/schema.prisma"), "utf8");
const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/** Every field documented `@secret` in schema.prisma, as { model: { field: true } }. */
function secretFieldsOfSchema(): Record<string, Record<string, true>> {
  const out: Record<string, Record<string, true>> = {};
  for (const model of dmmfOf(schemaText).datamodel.models) {
    for (const field of model.fields) {
      if (field.documentation?.includes("@secret")) (out[lowerFirst(model.name)] ??= {})[field.name] = true;
    }
  }
  return out;
}

describe("secret columns", () => {
  const database = useFreshDatabase("secrets", { migrated: true });
  let db: Db;
  const marker = `SECRET-${randomBytes(8).toString("hex")}`;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const operator = await db.operator.create({
      data: {
        email: "a@unit.example",
        displayName: "A",
        role: "admin",
        expiresAt: new Date(Date.now() + 1e9),
        webauthnUserId: randomBytes(32),
      },
    });
    const unit = await db.unit.create({ data: { code: "UMR0001", name: "Test unit" } });
    const host = await db.dockerHost.create({
      data: {
        name: "h1",
        kind: "tcp_tls",
        address: "127.0.0.1",
        port: 2376,
        tlsClientKeyEnc: `${marker}-tls`,
        sshPrivateKeyEnc: `${marker}-ssh`,
      },
    });
    await db.instance.create({
      data: {
        name: "i1",
        unitId: unit.id,
        webHostId: host.id,
        webContainerName: "elabftw",
        databasePlacement: "container",
        imageTag: "5.0.4",
        siteUrl: "https://elab.unit.example",
        uploadsKind: "bind",
        uploadsSource: "/var/elabftw/web",
        secretsEnc: `${marker}-instance`,
      },
    });
    await db.enrolmentInvite.create({
      data: {
        operatorId: operator.id,
        tokenHash: `${marker}-invite`,
        issuedVia: "cli",
        expiresAt: new Date(Date.now() + 1e6),
      },
    });
    await db.operatorSession.create({
      data: { operatorId: operator.id, tokenHash: `${marker}-session`, expiresAt: new Date(Date.now() + 1e6) },
    });
    await db.webAuthnChallenge.create({
      data: {
        purpose: "authentication",
        challenge: "c1",
        bindingHash: `${marker}-binding`,
        expiresAt: new Date(Date.now() + 1e6),
      },
    });
    await db.setting.create({
      data: { key: "smtp", value: { host: "smtp.unit.example" }, secretEnc: `${marker}-smtp` },
    });
  });

  afterAll(async () => {
    await db?.$disconnect();
  });

  it("the omit list is exactly the fields marked @secret in schema.prisma", () => {
    expect(secretFieldsOfSchema()).toEqual(SECRET_FIELDS);
    expect(Object.keys(SECRET_FIELDS).length).toBeGreaterThanOrEqual(6);
  });

  it("no default query result carries a secret column", async () => {
    const results: unknown[] = await Promise.all([
      db.dockerHost.findMany(),
      db.dockerHost.findFirst(),
      db.dockerHost.findUnique({ where: { name: "h1" } }),
      db.instance.findMany({ include: { webHost: true, unit: true } }),
      db.unit.findMany({ include: { instances: { include: { webHost: true } } } }),
      db.enrolmentInvite.findMany({ include: { operator: true } }),
      db.operatorSession.findMany(),
      db.operator.findMany({ include: { sessions: true, invites: true } }),
      db.webAuthnChallenge.findMany(),
      db.setting.findMany(),
      db.dockerHost.update({ where: { name: "h1" }, data: { engineVersion: "28.2.2" } }),
    ]);
    const text = JSON.stringify(results, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(text).toContain("h1"); // the rows were read
    expect(text).not.toContain(marker);
    for (const [model, fields] of Object.entries(SECRET_FIELDS)) {
      for (const field of Object.keys(fields)) expect(text, `${model}.${field}`).not.toContain(`"${field}"`);
    }
  });

  it("a server path that needs a secret asks for it explicitly", async () => {
    const host = await db.dockerHost.findUniqueOrThrow({ where: { name: "h1" }, omit: { tlsClientKeyEnc: false } });
    expect(host.tlsClientKeyEnc).toBe(`${marker}-tls`);
    expect("sshPrivateKeyEnc" in host).toBe(false);
  });
});
