import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, open, parseKeyRing } from "../../lib/crypto";
import { execCapture, type DockerClient } from "../../lib/docker";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { setInstanceApiKey } from "../../lib/server/instances/api-key";
import { instanceSecretsContext } from "../../lib/server/instances/instance-secrets";
import { observeInstance } from "../../lib/server/instances/observe";
import { testEngine } from "../support/docker";
import { rootSql, type TestDatabase } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { instanceFixture, type InstanceFixture } from "../support/instance-fixture";
import { refusal } from "../support/refusal";

const ring = parseKeyRing(generateKeySpec());
const context = { ip: "10.0.0.7", userAgent: "vitest" };

/**
 * Usage figures through eLabFTW's API, asked from inside the web container
 * with a read-only API key that the instance's sysadmin created (here: a row
 * in api_keys, as eLabFTW's UI would write it).
 */
describe("usage figures from /api/v2/info", () => {
  const database = useFreshDatabase("usage", { migrated: true });
  let f: InstanceFixture | undefined;
  let db: Db;
  let engine: DockerClient;
  let mysql: TestDatabase;
  let schema: string;
  let web: string;
  let instanceId: string;
  let actor: { id: string; email: string; securityKeyId: string };
  const secret = randomBytes(42).toString("hex");
  const apiKey = `1-${secret}`;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    engine = await testEngine();
    const salt = randomBytes(8).toString("hex");
    const hash = `sha256$${salt}$${createHash("sha256")
      .update(salt + secret)
      .digest("hex")}`;
    f = await instanceFixture(db, ring, {
      label: "usage",
      email: "usage@unit.example",
      image: "elabftw/elabimg:5.1.0",
      unitCode: "UMR9100",
      unitName: "Usage",
      hostName: "engine",
      secretKey: "def00000" + "d".repeat(120),
      uploadsVolume: false,
      seedSql: [
        "INSERT INTO teams (name) VALUES ('Team A'), ('Team B');",
        "INSERT INTO users (firstname, lastname, email, validated) VALUES ('A','A','a@x',1), ('B','B','b@x',1), ('C','C','c@x',0);",
        "INSERT INTO experiments (title, date, userid) VALUES ('e1', CURDATE(), 1), ('e2', CURDATE(), 1), ('e3', CURDATE(), 2);",
        "INSERT INTO items (title, category, userid) VALUES ('i1', 1, 1);",
        "INSERT INTO uploads (real_name, long_name, type, userid, filesize) VALUES ('a.pdf','a','experiments',1,1000), ('b.pdf','b','experiments',2,2500);",
        `INSERT INTO api_keys (name, hash, userid, team) VALUES ('panel', '${hash}', 1, 1);`,
      ],
      engine,
    });
    ({ mysql, schema, web, instanceId, actor } = f);
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  const storedSecrets = async () => {
    const row = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, omit: { secretsEnc: false } });
    return JSON.parse(open(ring, row.secretsEnc!, instanceSecretsContext(instanceId))) as Record<string, string>;
  };

  it("shows no figures and says why while no key is set; the inventory follows the image the container runs", async () => {
    // As after a re-install outside the panel: the inventory still says 5.0.4, the container runs 5.1.0.
    await db.instance.update({ where: { id: instanceId }, data: { imageTag: "5.0.4", elabftwVersion: "5.0.4" } });
    const observation = await observeInstance(db, ring, instanceId);
    expect(await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).toMatchObject({
      imageRepository: "elabftw/elabimg",
      imageTag: "5.1.0",
      elabftwVersion: "5.1.0",
    });
    expect(observation.health.verdict).toBe("ok");
    expect(observation.usage).toEqual({ configured: false });
  });

  it("refuses a malformed key and a key eLabFTW refuses, keeping nothing", async () => {
    const malformed = await refusal(setInstanceApiKey(db, ring, actor, instanceId, `Bearer ${apiKey}`, context));
    expect(malformed.message).toMatch(/^API key must look like eLabFTW's/);
    const wrong = await refusal(setInstanceApiKey(db, ring, actor, instanceId, `1-${"0".repeat(84)}`, context));
    expect(wrong.message).toMatch(/^The key was not kept: eLabFTW refused the API key \(HTTP 401\)/);
    expect(await storedSecrets()).toEqual({ dbPassword: mysql.userPassword });
  });

  it("keeps a working key sealed, and the observation carries the figures", async () => {
    const usage = await setInstanceApiKey(db, ring, actor, instanceId, ` ${apiKey} `, context);
    expect(usage).toEqual({
      elabftwVersion: "5.1.0",
      users: 3,
      activeUsers: 2,
      teams: 2,
      experiments: 3,
      timestampedExperiments: 0,
      items: 1,
      uploadsBytes: 3500,
    });
    expect(await storedSecrets()).toEqual({ dbPassword: mysql.userPassword, apiKey });
    const observation = await observeInstance(db, ring, instanceId);
    expect(observation.usage).toEqual({ configured: true, usage, error: null });
    // The key is on no command line and in no stored observation or audit event.
    const row = await db.instance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(JSON.stringify(row.observation)).not.toContain(secret);
    const audit = await db.auditEvent.findMany({ where: { instanceId } });
    expect(audit.map((a) => a.action)).toContain("instance.api_key_set");
    expect(JSON.stringify(audit.map((a) => a.params))).not.toContain(secret);
    // eLabFTW wants the bare "<id>-<key>": a Bearer prefix is refused, as the real API does.
    const bearer = await execCapture(engine, web, {
      cmd: [
        "sh",
        "-c",
        'curl -sk -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $K" https://127.0.0.1/api/v2/info',
      ],
      env: { K: apiKey },
    });
    expect(bearer.stdout).toBe("401");
  });

  it("reports a key deleted in eLabFTW in words, and removing the key forgets it", async () => {
    await rootSql(engine, mysql, "DELETE FROM api_keys;", schema);
    const observation = await observeInstance(db, ring, instanceId);
    expect(observation.usage).toMatchObject({ configured: true, usage: null });
    expect((observation.usage as { error: string }).error).toMatch(
      /refused the API key \(HTTP 401\): it may have been deleted/,
    );
    await setInstanceApiKey(db, ring, actor, instanceId, null, context);
    expect(await storedSecrets()).toEqual({ dbPassword: mysql.userPassword });
    expect((await observeInstance(db, ring, instanceId)).usage).toEqual({ configured: false });
  });
});
