import https from "node:https";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, open, parseKeyRing } from "../../lib/crypto";
import {
  createContainer,
  inspectContainer,
  listContainers,
  listNetworks,
  listVolumes,
  removeContainer,
  removeNetwork,
  removeVolume,
  type DockerClient,
} from "../../lib/docker";
import { AppError } from "../../lib/errors";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { deploySteps, requestDeploy } from "../../lib/server/instances/deploy";
import { planDeploy } from "../../lib/server/instances/deploy-plan";
import { instanceSecretsContext } from "../../lib/server/instances/instance-secrets";
import { observeInstance, readObservation } from "../../lib/server/instances/observe";
import { executeOperation } from "../../lib/server/operations/execute";
import { refreshTagCache } from "../../lib/server/registry/tag-cache";
import { createUnit } from "../../lib/server/units/manage-units";
import { BUSYBOX, TEST_LABEL, TEST_REGISTRY, TEST_SOCKET, testEngine, uniqueName } from "../support/docker";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { freePort } from "../support/ports";

const ring = parseKeyRing(generateKeySpec());
const context = { ip: "10.0.0.7", userAgent: "vitest" };

/** GET over TLS without checking the self-signed certificate (the instance's own). */
function httpsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: "127.0.0.1", port, path, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

/**
 * Deploying new instances with the stand-in images on the real test engine:
 * the reference installation's secure defaults, the schema created, health
 * checked from inside, the instance registered with its secrets sealed; a
 * failure removes everything it created; bad answers change nothing.
 */
describe("deploy a new instance", () => {
  const database = useFreshDatabase("deploy", { migrated: true });
  let db: Db;
  let engine: DockerClient;
  let actor: { id: string; email: string; securityKeyId: string };
  let unitId: string;
  let hostId: string;
  const names: string[] = [];

  async function leftovers(name: string) {
    const label = `net.paillasse.instance=${name}`;
    const [containers, volumes, networks] = await Promise.all([
      listContainers(engine, { all: true, labels: [label] }),
      listVolumes(engine),
      listNetworks(engine),
    ]);
    return {
      containers: containers.map((c) => c.name),
      volumes: volumes.filter((v) => v.labels["net.paillasse.instance"] === name).map((v) => v.name),
      networks: networks.filter((n) => n.labels["net.paillasse.instance"] === name).map((n) => n.name),
    };
  }

  async function answers(name: string, overrides: Record<string, unknown> = {}) {
    names.push(name);
    return {
      name,
      unitId,
      webHostId: hostId,
      version: "5.1.0",
      siteUrl: `https://${name}.unit.example/`,
      https: "container",
      publishAddress: "127.0.0.1",
      publishPort: await freePort(),
      uploadsKind: "volume",
      uploadsSource: "",
      databasePlacement: "container",
      databaseHostId: hostId,
      ...overrides,
    };
  }

  async function deploy(raw: Record<string, unknown>) {
    const plan = await planDeploy(db, raw);
    const operationId = await requestDeploy(db, ring, actor, plan, undefined, context);
    const outcome = await executeOperation(db, ring, operationId, {
      owner: "vitest",
      deploy: { databaseTimeoutMs: 90_000, healthTimeoutMs: 60_000 },
    });
    return { plan, operationId, outcome };
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    engine = await testEngine();
    const operator = await operatorWithKey(db, "deployer@unit.example", "operator");
    actor = { id: operator.id, email: operator.email, securityKeyId: operator.keyId };
    unitId = (await createUnit(db, actor, { code: "UMR9001", name: "Deploy unit" }, context)).id;
    hostId = await createHost(db, ring, actor, { kind: "socket", name: "engine", socketPath: TEST_SOCKET }, context);
    const cache = await refreshTagCache(db, { url: TEST_REGISTRY }, ["elabftw/elabimg"]);
    expect(cache["elabftw/elabimg"]?.tags).toContain("5.1.0");
  }, 60_000);

  afterAll(async () => {
    for (const name of names) {
      const left = await leftovers(name).catch(() => null);
      if (!left) continue;
      for (const c of left.containers) await removeContainer(engine, c, { force: true }).catch(() => undefined);
      for (const v of left.volumes) await removeVolume(engine, v).catch(() => undefined);
      for (const n of left.networks) await removeNetwork(engine, n).catch(() => undefined);
    }
    await db?.$disconnect();
  });

  it("deploys 5.1.0 with its database, hardened, healthy, registered with sealed secrets", async () => {
    const name = uniqueName("dep");
    const raw = await answers(name);
    const { plan, operationId, outcome } = await deploy(raw);
    const operation = await db.operation.findUniqueOrThrow({
      where: { id: operationId },
      include: { steps: { orderBy: { position: "asc" } }, logs: true },
    });
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    expect(operation.steps.map((s) => s.state)).toEqual(Array(10).fill("succeeded"));
    expect(operation.progress).toBe(100);
    const result = operation.result as { register: { instanceId: string; registerUrl: string } };
    expect(result.register.registerUrl).toBe(`https://${name}.unit.example/register.php`);

    // The containers follow the reference installation's hardening, and carry the panel's labels.
    const web = await inspectContainer(engine, `${name}-web`);
    expect(web.capDrop).toEqual(["ALL"]);
    expect([...web.capAdd].sort()).toEqual(["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]);
    expect(web.securityOpt).toContain("no-new-privileges:true");
    expect(web.restartPolicy.name).toBe("unless-stopped");
    expect(web.labels["net.paillasse.managed"]).toBe("true");
    expect(web.image).toBe("elabftw/elabimg:5.1.0");
    expect(web.env.SECRET_KEY).toMatch(/^def00000[0-9a-f]{64,}$/);
    expect(web.env.SITE_URL).toBe(`https://${name}.unit.example`);
    expect(web.env.DB_HOST).toBe("mysql");
    expect(Object.keys(web.networks)).toEqual([`${name}-net`]);
    expect(web.portBindings["443/tcp"]).toEqual([{ hostIp: "127.0.0.1", hostPort: String(plan.publish.port) }]);
    const mysql = await inspectContainer(engine, `${name}-mysql`);
    expect(mysql.restartPolicy.name).toBe("unless-stopped");
    expect(mysql.networks[`${name}-net`]?.aliases).toContain("mysql");
    expect(Object.keys(mysql.portBindings)).toEqual([]);
    expect(mysql.env.MYSQL_PASSWORD).toBe(web.env.DB_PASSWORD);
    expect(mysql.env.MYSQL_ROOT_PASSWORD).not.toBe(mysql.env.MYSQL_PASSWORD);
    expect(web.env.DB_PASSWORD!.length).toBeGreaterThanOrEqual(32);

    // The instance answers on its published port over HTTPS.
    expect(await httpsGet(plan.publish.port, "/healthcheck.php")).toEqual({ status: 200, body: "ok" });

    // Registered: version, schema, secrets sealed under the instance's own context, none left on the operation.
    const instance = await db.instance.findUniqueOrThrow({
      where: { id: result.register.instanceId },
      omit: { secretsEnc: false },
    });
    expect(instance).toMatchObject({
      name,
      elabftwVersion: "5.1.0",
      schemaVersion: 165,
      webContainerName: `${name}-web`,
      databaseContainerName: `${name}-mysql`,
      uploadsKind: "volume",
      uploadsSource: `${name}-uploads`,
    });
    const secrets = JSON.parse(open(ring, instance.secretsEnc!, instanceSecretsContext(instance.id)));
    expect(secrets).toEqual({
      secretKey: web.env.SECRET_KEY,
      dbPassword: web.env.DB_PASSWORD,
      mysqlRootPassword: mysql.env.MYSQL_ROOT_PASSWORD,
    });
    const after = await db.operation.findUniqueOrThrow({ where: { id: operationId }, omit: { secretsEnc: false } });
    expect(after.secretsEnc).toBeNull();
    expect(after.instanceId).toBe(instance.id);
    // No secret in the journal or the audit trail.
    const journal = JSON.stringify({
      params: after.params,
      result: after.result,
      logs: operation.logs.map((l) => l.message),
    });
    for (const value of Object.values(secrets) as string[]) expect(journal).not.toContain(value);
    const audit = await db.auditEvent.findMany({ where: { action: { in: ["instance.deploy", "instance.deployed"] } } });
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(
      expect.arrayContaining(["instance.deploy:success", "instance.deployed:success"]),
    );
    expect(JSON.stringify(audit.map((a) => [a.params, a.reason]))).not.toContain(secrets.dbPassword);

    // The instance page's own observation agrees.
    const observation = await observeInstance(db, ring, instance.id);
    expect(observation.health.verdict).toBe("ok");
    expect(observation.schema).toMatchObject({ current: 165, required: 165, upToDate: true });
    // Stored as it was returned, and read back through its schema (what the instance page shows).
    const stored = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(readObservation(stored.observation)).toEqual(observation);
    expect(readObservation({ ...observation, health: "ok" })).toBeNull();
  }, 240_000);

  it("removes everything it created when a later step fails (the published port is taken)", async () => {
    const name = uniqueName("dep");
    const raw = await answers(name, { publishAddress: "" });
    // Something that is not a container already listens on the port: only starting the web container finds out.
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => squatter.listen(raw.publishPort as number, "0.0.0.0", resolve));
    try {
      const { operationId, outcome } = await deploy(raw);
      expect(outcome).toBe("rolled_back");
      const operation = await db.operation.findUniqueOrThrow({
        where: { id: operationId },
        include: { steps: { orderBy: { position: "asc" } } },
        omit: { secretsEnc: false },
      });
      expect(operation.state).toBe("rolled_back");
      expect(operation.error).toMatch(/^Start eLabFTW: .*(address already in use|port is already allocated)/i);
      expect(Object.fromEntries(operation.steps.map((s) => [s.key, s.state]))).toMatchObject({
        check: "succeeded",
        network: "compensated",
        database: "compensated",
        web: "failed",
        install: "skipped",
        register: "skipped",
      });
      expect(operation.secretsEnc).toBeNull();
      expect(await leftovers(name)).toEqual({ containers: [], volumes: [], networks: [] });
      expect(await db.instance.count({ where: { name } })).toBe(0);
      const audit = await db.auditEvent.findFirstOrThrow({
        where: { action: "instance.deployed", targetId: operationId },
      });
      expect(audit.outcome).toBe("failure");
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  }, 240_000);

  it("stops before creating anything when a name is taken on the host, and leaves that container alone", async () => {
    const name = uniqueName("dep");
    await createContainer(engine, {
      name: `${name}-web`,
      image: BUSYBOX,
      cmd: ["true"],
      labels: { [TEST_LABEL]: name, "net.paillasse.instance": name },
    });
    const { operationId, outcome } = await deploy(await answers(name));
    expect(outcome).toBe("failed");
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
    expect(operation.error).toContain(`A container named ${name}-web already exists on engine`);
    const left = await leftovers(name);
    expect(left).toEqual({ containers: [`${name}-web`], volumes: [], networks: [] });
    expect((await inspectContainer(engine, `${name}-web`)).image).toBe(BUSYBOX);
  }, 60_000);

  it("refuses bad answers with the field named, and records nothing", async () => {
    const before = await db.operation.count();
    const base = await answers(uniqueName("dep"));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ version: "latest" }, /^Version must be an exact release/],
      [{ version: "9.9.9" }, /^Version 9\.9\.9 is not a release the registry offers/],
      [{ version: "5.1.0-fault-migration" }, /^Version must be an exact release/],
      [{ name: "Bad Name" }, /^Name must be 1 to 50 lower-case/],
      [{ siteUrl: "ftp://elab.unit.example" }, /^Site URL must be an http\(s\) address/],
      [{ publishPort: 70000 }, /^Published port must be between 1 and 65535/],
      [{ publishAddress: "not-an-ip" }, /^Published address must be an IP address/],
      [{ uploadsKind: "bind", uploadsSource: "relative/dir" }, /^Uploads location must be an absolute path/],
      [{ uploadsKind: "bind", uploadsSource: "/" }, /^Uploads location must not be \/ itself/],
      [{ uploadsKind: "bind", uploadsSource: "/var/run/docker.sock" }, /^Uploads location must not be in \/var\/run/],
      [{ uploadsKind: "bind", uploadsSource: "/x:/y:rw" }, /^Uploads location must not contain “:”/],
      [{ databasePlacement: "external", databaseAddress: "" }, /^Database server must be a host name/],
      [{ unitId: "00000000-0000-4000-8000-000000000000" }, /^This unit no longer exists/],
    ];
    for (const [override, message] of cases) {
      const error = await planDeploy(db, { ...base, ...override }).catch((e: unknown) => e);
      expect(error, JSON.stringify(override)).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(message);
    }
    // A second host for the database needs the address to publish it on (never all interfaces).
    const other = await createHost(
      db,
      ring,
      actor,
      { kind: "socket", name: "engine-2", socketPath: TEST_SOCKET },
      context,
    );
    await expect(planDeploy(db, { ...base, databaseHostId: other })).rejects.toThrow(
      /must be one IP address of the database host/,
    );
    const plan = await planDeploy(db, { ...base, databaseHostId: other, databaseBindAddress: "10.0.0.5" });
    expect(plan.database).toMatchObject({ placement: "container", sameHost: false, address: "10.0.0.5", port: 3306 });
    // A new unit is checked now and created only when the deployment is confirmed.
    await expect(planDeploy(db, { ...base, unitId: "new", unitCode: "bad code!", unitName: "X" })).rejects.toThrow(
      /^Unit code must be a unit code such as UMR5107/,
    );
    await expect(planDeploy(db, { ...base, unitId: "new", unitCode: "UMR9001", unitName: "X" })).rejects.toThrow(
      /^Unit UMR9001 already exists/,
    );
    const withUnit = await planDeploy(db, { ...base, unitId: "new", unitCode: "umr9002", unitName: "Nouvelle unité" });
    expect(withUnit).toMatchObject({
      unitId: "",
      unitCode: "UMR9002",
      newUnit: { code: "UMR9002", name: "Nouvelle unité" },
    });
    expect(await db.unit.count({ where: { code: "UMR9002" } })).toBe(0);
    // An external database needs its password.
    const external = await planDeploy(db, {
      ...base,
      databasePlacement: "external",
      databaseAddress: "db.unit.example",
    });
    await expect(requestDeploy(db, ring, actor, external, undefined, context)).rejects.toThrow(
      /Database password is needed/,
    );
    expect(await db.operation.count()).toBe(before);
    // The steps are the journal's: one per key, in order.
    expect(deploySteps(db, ring, "x", plan).map((s) => s.key)).toEqual([
      "check",
      "pull",
      "secrets",
      "network",
      "database",
      "database_ready",
      "web",
      "install",
      "health",
      "register",
    ]);
  });
});
