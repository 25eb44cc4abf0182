import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, open, parseKeyRing, seal } from "../../lib/crypto";
import { MANIFEST_SEAL, manifestSealContext } from "../../lib/server/backups/restore-point";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { secretContext } from "../../lib/server/hosts/host-connection";
import { operationSecretsContext } from "../../lib/server/instances/deploy";
import { databaseSpecContext, instanceSecretsContext } from "../../lib/server/instances/instance-secrets";
import { settingSecretContext } from "../../lib/server/settings/setting-secret";
import { useFreshDatabase } from "../support/fresh-database";
import { inventoryInstance } from "../support/inventory";
import { runPanelScript } from "../support/panel-cli";

const k1 = generateKeySpec("k1");
const k2 = generateKeySpec("k2");
const old = parseKeyRing(k1);

/**
 * `npm run key:rotate` after a new key was put first: every sealed column
 * and every backup's manifest seal is re-sealed under the new key, bound to
 * the same row and field, so that the new key alone opens everything; a
 * value that cannot be opened is named, left alone, and the run fails.
 */
describe("master key rotation", () => {
  const database = useFreshDatabase("key_rotation", { migrated: true });
  let db: Db;
  const backupDir = mkdtempSync(path.join(tmpdir(), "paillasse-rotation-"));
  const ids = { host: "", instance: "", operation: "", backup: "" };

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const made = await inventoryInstance(db, { host: { name: "h", kind: "ssh", address: "10.0.0.5" } });
    const host = { id: made.hostId };
    const instance = { id: made.instanceId };
    ids.host = host.id;
    await db.dockerHost.update({
      where: { id: host.id },
      data: {
        tlsClientKeyEnc: seal(old, "TLS KEY", secretContext(host.id, "tlsClientKey")),
        sshPrivateKeyEnc: seal(old, "SSH KEY", secretContext(host.id, "sshPrivateKey")),
      },
    });
    ids.instance = instance.id;
    await db.instance.update({
      where: { id: instance.id },
      data: {
        secretsEnc: seal(old, '{"dbPassword":"p"}', instanceSecretsContext(instance.id)),
        databaseSpecEnc: seal(old, '{"Image":"mysql:8.0"}', databaseSpecContext(instance.id)),
      },
    });
    const operation = await db.operation.create({ data: { kind: "deploy", state: "running" } });
    ids.operation = operation.id;
    await db.operation.update({
      where: { id: operation.id },
      data: { secretsEnc: seal(old, '{"rootPassword":"r"}', operationSecretsContext(operation.id)) },
    });
    await db.setting.create({
      data: { key: "mail", value: {}, secretEnc: seal(old, "smtp secret", settingSecretContext("mail")) },
    });
    const backup = await db.backup.create({
      data: { instanceId: instance.id, trigger: "manual", status: "succeeded", location: backupDir },
    });
    ids.backup = backup.id;
    writeFileSync(path.join(backupDir, MANIFEST_SEAL), seal(old, "a".repeat(64), manifestSealContext(backup.id)));
  });
  afterAll(async () => {
    await db?.$disconnect();
    rmSync(backupDir, { recursive: true, force: true });
  });

  const rotate = (keys: string) =>
    runPanelScript("key-rotate.ts", { ...process.env, DATABASE_URL: database.url, PANEL_SECRET_KEY: keys });

  async function stored() {
    const host = await db.dockerHost.findUniqueOrThrow({
      where: { id: ids.host },
      omit: { tlsClientKeyEnc: false, sshPrivateKeyEnc: false },
    });
    const instance = await db.instance.findUniqueOrThrow({
      where: { id: ids.instance },
      omit: { secretsEnc: false, databaseSpecEnc: false },
    });
    const operation = await db.operation.findUniqueOrThrow({
      where: { id: ids.operation },
      omit: { secretsEnc: false },
    });
    const setting = await db.setting.findUniqueOrThrow({ where: { key: "mail" }, omit: { secretEnc: false } });
    return [
      [host.tlsClientKeyEnc!, secretContext(ids.host, "tlsClientKey")],
      [host.sshPrivateKeyEnc!, secretContext(ids.host, "sshPrivateKey")],
      [instance.secretsEnc!, instanceSecretsContext(ids.instance)],
      [instance.databaseSpecEnc!, databaseSpecContext(ids.instance)],
      [operation.secretsEnc!, operationSecretsContext(ids.operation)],
      [setting.secretEnc!, settingSecretContext("mail")],
      [readFileSync(path.join(backupDir, MANIFEST_SEAL), "utf8"), manifestSealContext(ids.backup)],
    ] as const;
  }

  it("re-seals every secret under the new key: the new key alone opens them, with the same content", async () => {
    const before = (await stored()).map(([sealed, context]) => open(old, sealed, context));
    const { code, output } = rotate(`${k2},${k1}`);
    expect(output).toContain("Docker hosts' TLS client keys: 1 re-sealed, 0 already under k2.");
    expect(output).toContain("Backup manifest seals: 1 re-sealed, 0 already under k2.");
    expect(output).toContain("Every secret is sealed with master key k2.");
    expect(output).toContain("k1 no longer seal anything: they may be removed.");
    expect(code).toBe(0);
    const after = await stored();
    for (const [sealed] of after) expect(sealed.split(":")[1]).toBe("k2");
    const newOnly = parseKeyRing(k2);
    expect(after.map(([sealed, context]) => open(newOnly, sealed, context))).toEqual(before);
    // Nothing is left to do; secrets never appear in the output.
    const again = rotate(`${k2},${k1}`);
    expect(again.output).toContain("Instances' secrets: 0 re-sealed, 1 already under k2.");
    for (const secret of ["TLS KEY", "SSH KEY", "smtp secret", "dbPassword"])
      expect(again.output).not.toContain(secret);
  });

  it("names a value it cannot open, leaves it as it was, and fails", async () => {
    const k3 = generateKeySpec("k3");
    // A value copied from another row does not open under this one's context.
    const foreign = seal(parseKeyRing(k2), "elsewhere", instanceSecretsContext("another-instance"));
    await db.instance.update({ where: { id: ids.instance }, data: { secretsEnc: foreign } });
    const { code, output } = rotate(`${k3},${k2}`);
    expect(code).toBe(1);
    expect(output).toContain("Not re-sealed: Instance elab (secrets): A stored secret failed its integrity check");
    expect(output).toContain("1 secret(s) could not be re-sealed: keep every key until they are.");
    const row = await db.instance.findUniqueOrThrow({ where: { id: ids.instance }, omit: { secretsEnc: false } });
    expect(row.secretsEnc).toBe(foreign);
    // The others moved on to k3.
    expect((await stored())[0][0].split(":")[1]).toBe("k3");
  });
});
