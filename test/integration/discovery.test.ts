import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, open, parseKeyRing } from "../../lib/crypto";
import {
  createContainer,
  inspectContainer,
  pullImage,
  removeContainer,
  startContainer,
  stopContainer,
  type DockerClient,
} from "../../lib/docker";
import { observeInstance } from "../../lib/server/instances/observe";
import { addInstanceByHand } from "../../lib/server/instances/add-instance";
import { AppError } from "../../lib/errors";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { refreshHost } from "../../lib/server/hosts/snapshot";
import { adoptInstance, discoverOnHost } from "../../lib/server/instances/discover-instances";
import { instanceSecretsContext } from "../../lib/server/instances/instance-secrets";
import { removeInstanceFromInventory, rereadCredentials } from "../../lib/server/instances/repair-instance";
import { createUnit } from "../../lib/server/units/manage-units";
import { BUSYBOX, removeTestContainers, TEST_LABEL, TEST_SOCKET, testEngine, uniqueName } from "../support/docker";
import { init, rootSql, startDatabase, waitHealthy, type TestDatabase } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { makePki, startTlsFront, type Pki } from "../support/tls";
import { englishText } from "../../lib/i18n/message";

const ring = parseKeyRing(generateKeySpec());
const actor = { id: "00000000-0000-4000-8000-000000000001", email: "ops@unit.example" };
const context = { ip: "10.0.0.7", userAgent: "vitest" };
const SECRET_KEY = "def00000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/**
 * Discovery of instances started the way the reference compose file does
 * (project labels, a network, the database reached by its service name, the
 * uploads bind-mounted), on the real test engine, then adoption.
 */
describe("discovery and adoption", () => {
  const database = useFreshDatabase("discovery", { migrated: true });
  const run = uniqueName("disc");
  let db: Db;
  let engine: DockerClient;
  let mysql: TestDatabase;
  let pki: Pki;
  let front: { port: number; close: () => Promise<void> };
  let hostId: string;
  let tlsHostId: string;
  const web = `${run}-elabftw`;
  const uploads = mkdtempSync(path.join(tmpdir(), "uploads-"));

  async function startWeb(name: string, env: Record<string, string>, labels: Record<string, string> = {}) {
    await createContainer(engine, {
      name,
      image: "elabftw/elabimg:5.0.4",
      env: { SITE_URL: "https://elab.unit.example", SECRET_KEY, DB_NAME: "elabftw", DB_USER: "elabftw", ...env },
      labels: { [TEST_LABEL]: run, ...labels },
      binds: [`${uploads}:/elabftw/uploads`],
      capDrop: ["ALL"],
      capAdd: ["CHOWN", "SETGID", "SETUID", "FOWNER", "DAC_OVERRIDE"],
      securityOpt: ["no-new-privileges:true"],
      restartPolicy: "always",
      network: { name: mysql.network },
    });
    await startContainer(engine, name);
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    engine = await testEngine();
    await pullImage(engine, "elabftw/elabimg:5.0.4");
    mysql = await startDatabase(engine, run);
    await startWeb(
      web,
      { DB_HOST: "mysql", DB_PASSWORD: mysql.userPassword },
      {
        "com.docker.compose.project": run,
        "com.docker.compose.service": "web",
        "com.docker.compose.project.working_dir": "/srv/elabftw",
        "com.docker.compose.project.config_files": "/srv/elabftw/docker-compose.yml",
      },
    );
    await startWeb(`${run}-external`, { DB_HOST: "db.unit.example", DB_PORT: "3307", DB_PASSWORD: "x" });
    hostId = await createHost(db, ring, actor, { kind: "socket", name: "engine", socketPath: TEST_SOCKET }, context);
    pki = makePki("discovery");
    front = await startTlsFront(pki, TEST_SOCKET);
  }, 180_000);
  afterAll(async () => {
    await front?.close();
    if (engine) await removeTestContainers(engine, run);
    await db?.$disconnect();
  });

  it("proposes the layout of an instance started as the reference compose file does", async () => {
    const proposals = await discoverOnHost(db, ring, hostId);
    const p = proposals.find((x) => x.container.name === web);
    expect(p).toBeDefined();
    expect(p).toMatchObject({
      suggestedName: run,
      imageRepository: "elabftw/elabimg",
      imageTag: "5.0.4",
      elabftwVersion: "5.0.4",
      siteUrl: "https://elab.unit.example",
      uploads: { kind: "bind", source: uploads },
      compose: {
        project: run,
        service: "web",
        workingDir: "/srv/elabftw",
        configFiles: "/srv/elabftw/docker-compose.yml",
      },
      database: { placement: "container", hostId, containerName: mysql.container },
      databaseName: "elabftw",
      databaseUser: "elabftw",
      databasePort: 3306,
      databaseTls: false,
      secretsFound: { dbPassword: true, secretKey: true, mysqlRootPassword: true },
      warnings: [],
    });
    expect(p!.database.foundBy).toContain("network alias mysql");
    // Secrets never travel in a proposal.
    expect(JSON.stringify(proposals)).not.toContain(mysql.userPassword);
    expect(JSON.stringify(proposals)).not.toContain(SECRET_KEY);

    const external = proposals.find((x) => x.container.name === `${run}-external`);
    expect(external?.database).toMatchObject({ placement: "external", address: "db.unit.example", port: 3307 });
    // Not an eLabFTW image: never proposed.
    expect(proposals.some((x) => x.container.name === mysql.container)).toBe(false);
  });

  it("finds a database published on another managed host", async () => {
    tlsHostId = await createHost(
      db,
      ring,
      actor,
      {
        kind: "tcp_tls",
        name: "db-host",
        address: "127.0.0.1",
        port: front.port,
        tlsCaCert: pki.ca,
        tlsClientCert: pki.clientCert,
        tlsClientKey: pki.clientKey,
      },
      context,
    );
    const publishedDb = `${run}-published-db`;
    await createContainer(engine, {
      name: publishedDb,
      image: "mysql:8.0",
      env: { MYSQL_ROOT_PASSWORD: "r", MYSQL_DATABASE: "elabftw", MYSQL_USER: "elabftw", MYSQL_PASSWORD: "p" },
      labels: { [TEST_LABEL]: run },
      portBindings: { "3306/tcp": [{ hostIp: "127.0.0.1", hostPort: "33306" }] },
    });
    await startContainer(engine, publishedDb);
    expect((await refreshHost(db, ring, tlsHostId)).ok).toBe(true);
    await startWeb(`${run}-two-machines`, { DB_HOST: "127.0.0.1", DB_PORT: "33306", DB_PASSWORD: "p" });
    const proposals = await discoverOnHost(db, ring, hostId);
    const p = proposals.find((x) => x.container.name === `${run}-two-machines`);
    expect(p?.database).toMatchObject({ placement: "container", hostId: tlsHostId, containerName: publishedDb });
    expect(p?.database.foundBy).toContain("port 33306 published on managed host db-host");
  });

  it("is not thrown off by containers that come and go while it looks (other operators, compose down)", async () => {
    // Containers created and removed in a loop, as busy engines do: some are listed and gone by their
    // inspection. Each discovery still proposes the instance, and none fails on a vanished container.
    let churning = true;
    let churned = 0;
    const churn = (async () => {
      while (churning) {
        const name = `${run}-churn-${churned++}`;
        await createContainer(engine, { name, image: BUSYBOX, cmd: ["true"], labels: { [TEST_LABEL]: run } });
        await removeContainer(engine, name, { force: true });
      }
    })();
    try {
      for (let i = 0; i < 12; i++) {
        const proposals = await discoverOnHost(db, ring, hostId);
        expect(proposals.some((x) => x.container.name === web)).toBe(true);
      }
    } finally {
      churning = false;
      await churn;
    }
    expect(churned).toBeGreaterThan(5);
  });

  it("adopts under a unit, stores the secrets sealed, and no longer proposes it", async () => {
    const unit = await createUnit(db, actor, { code: "umr5107", name: "Test unit" }, context);
    expect(unit.code).toBe("UMR5107");
    const containerId = (await discoverOnHost(db, ring, hostId)).find((x) => x.container.name === web)!.container.id;

    const bad: [Record<string, unknown>, RegExp][] = [
      [{ hostId, containerId, unitId: unit.id, name: "Bad Name" }, /^Name must be/],
      [{ hostId, containerId: "nope", unitId: unit.id, name: "ok" }, /^Container is not a container id/],
      [{ hostId, containerId, unitId: "x", name: "ok" }, /^Unit must be chosen/],
      [{ hostId, containerId: "a".repeat(64), unitId: unit.id, name: "ok" }, /no longer an unadopted eLabFTW instance/],
    ];
    for (const [input, message] of bad) {
      const error = await adoptInstance(db, ring, actor, input, context).catch((e) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(message);
    }
    expect(await db.instance.count()).toBe(0);

    const id = await adoptInstance(
      db,
      ring,
      actor,
      { hostId, containerId, unitId: unit.id, name: "elab-umr5107" },
      context,
    );
    const instance = await db.instance.findUniqueOrThrow({ where: { id }, omit: { secretsEnc: false } });
    expect(instance).toMatchObject({
      name: "elab-umr5107",
      webContainerName: web,
      databasePlacement: "container",
      databaseContainerName: mysql.container,
      imageTag: "5.0.4",
      elabftwVersion: "5.0.4",
      uploadsKind: "bind",
      uploadsSource: uploads,
      composeProject: run,
      state: "running",
    });
    const secrets = JSON.parse(open(ring, instance.secretsEnc!, instanceSecretsContext(id)));
    expect(secrets).toEqual({
      dbPassword: mysql.userPassword,
      secretKey: SECRET_KEY,
      mysqlRootPassword: mysql.rootPassword,
    });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "instance.adopt" } });
    expect(JSON.stringify(event.params)).not.toContain(mysql.userPassword);
    expect(event.params).toMatchObject({ kept: ["dbPassword", "secretKey", "mysqlRootPassword"] });

    expect((await discoverOnHost(db, ring, hostId)).some((x) => x.container.name === web)).toBe(false);
    const again = await adoptInstance(
      db,
      ring,
      actor,
      { hostId, containerId, unitId: unit.id, name: "other" },
      context,
    ).catch((e) => e);
    expect((again as AppError).message).toContain("no longer an unadopted eLabFTW instance");
    // The same container through another host entry for the same engine (the TLS one of the test before,
    // added before engines were told apart): not proposed there either, and never adopted or added twice.
    expect((await discoverOnHost(db, ring, tlsHostId)).some((x) => x.container.name === web)).toBe(false);
    const twice = await adoptInstance(
      db,
      ring,
      actor,
      { hostId: tlsHostId, containerId, unitId: unit.id, name: "other" },
      context,
    ).catch((e) => e);
    expect((twice as AppError).message).toContain("no longer an unadopted eLabFTW instance");
    const byHand = await addInstanceByHand(
      db,
      ring,
      actor,
      {
        name: "other",
        unitId: unit.id,
        webHostId: tlsHostId,
        webContainerName: web,
        siteUrl: "https://other.unit.example",
        databasePlacement: "external",
        databaseAddress: "db.unit.example",
        databasePort: "3306",
        databaseName: "elabftw",
        databaseUser: "elabftw",
        uploadsKind: "bind",
        uploadsSource: uploads,
        dbPassword: "x",
      },
      context,
    ).catch((e) => e);
    expect((byHand as AppError).message).toBe("This container is already in the inventory as “elab-umr5107”.");
    expect(await db.instance.count({ where: { webContainerId: containerId } })).toBe(1);
    expect(await db.instance.count({ where: { name: "other" } })).toBe(0);
  });

  it("observes the adopted instance through the Docker API only: containers, health, schema, uploads", async () => {
    const instance = await db.instance.findUniqueOrThrow({ where: { name: "elab-umr5107" } });
    // A fresh database: no schema yet, so db:check has nothing to report.
    const before = await observeInstance(db, ring, instance.id);
    expect(before.web).toMatchObject({ name: web, running: true, restartPolicy: "always" });
    expect(before.database).toMatchObject({ name: mysql.container, running: true, health: "healthy" });
    expect(before.health.verdict).toBe("ok");
    expect("current" in before.schema).toBe(false);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).state).toBe("degraded");

    expect((await init(engine, web, "db:install")).exitCode).toBe(0);
    writeFileSync(path.join(uploads, "figure.png"), Buffer.alloc(300 * 1024, 1));
    const after = await observeInstance(db, ring, instance.id);
    expect(after.schema).toMatchObject({ current: 144, required: 144, upToDate: true });
    expect(after.uploadsBytes).toBeGreaterThanOrEqual(300 * 1024);
    expect(after.problems).toEqual([]);
    const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row).toMatchObject({ state: "running", health: "ok", schemaVersion: 144, elabftwVersion: "5.0.4" });
    // The CNRS report, from what the containers' configuration proves.
    expect(Object.fromEntries(after.compliance!.checks.map((c) => [c.id, c.verdict]))).toEqual({
      two_machines: "fail", // web and database on the same engine
      https: "pass",
      database_tls: "fail",
      web_hardened: "pass",
      image_pinned: "pass",
      database_port: "pass",
      restart_policies: "pass",
      backups: "unknown",
    });
    expect(row.complianceScore).toBe(71);

    // The database stops: eLabFTW answers "ko", and the page says so.
    await stopContainer(engine, mysql.container, 2);
    const down = await observeInstance(db, ring, instance.id);
    expect(down.health.verdict).toBe("ko");
    expect(down.problems.map(englishText).join(" ")).toContain(
      `The database container ${mysql.container} is not running.`,
    );
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).state).toBe("degraded");
    await startContainer(engine, mysql.container);
  });

  it("adds an instance by hand when the web container exists, and refuses bad input with what to fix", async () => {
    const unit = await db.unit.findUniqueOrThrow({ where: { code: "UMR5107" } });
    const base = {
      name: "by-hand",
      unitId: unit.id,
      webHostId: hostId,
      webContainerName: `${run}-external`,
      siteUrl: "https://by-hand.unit.example",
      databasePlacement: "external",
      databaseAddress: "db.unit.example",
      databasePort: "3307",
      databaseName: "elabftw",
      databaseUser: "elabftw",
      uploadsKind: "bind",
      uploadsSource: uploads,
      dbPassword: "x",
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, name: "By Hand" }, /^Name must be/],
      [{ ...base, siteUrl: "elab" }, /^Site URL must be the address users type/],
      [{ ...base, databaseAddress: "" }, /^Database address is needed for an external database server/],
      [{ ...base, databasePlacement: "container" }, /^Database container and its host are needed/],
      [{ ...base, uploadsSource: "relative/dir" }, /^Uploads location must be an absolute path/],
      [{ ...base, uploadsSource: "/etc/elabftw" }, /^Uploads location must not be in \/etc/],
      [{ ...base, webContainerName: `${run}-no-such` }, /There is no container named .*-no-such on engine/],
      [{ ...base, name: "elab-umr5107" }, /already has an instance named/],
    ];
    for (const [input, message] of cases) {
      const error = await addInstanceByHand(db, ring, actor, input, context).catch((e) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).message).toMatch(message);
    }
    expect(await db.instance.count({ where: { name: "by-hand" } })).toBe(0);

    const id = await addInstanceByHand(db, ring, actor, base, context);
    const row = await db.instance.findUniqueOrThrow({ where: { id }, omit: { secretsEnc: false } });
    expect(row).toMatchObject({
      imageRepository: "elabftw/elabimg",
      imageTag: "5.0.4",
      elabftwVersion: "5.0.4",
      databasePlacement: "external",
      databaseAddress: "db.unit.example",
      databasePort: 3307,
      state: "running",
    });
    expect(JSON.parse(open(ring, row.secretsEnc!, instanceSecretsContext(id)))).toEqual({ dbPassword: "x" });
    // The same container cannot be added twice.
    const twice = await addInstanceByHand(db, ring, actor, { ...base, name: "again" }, context).catch((e) => e);
    expect((twice as AppError).message).toContain("already has this web container");
  });

  it("after a re-install by hand (new password, container re-created), credentials are re-read; then the instance leaves the inventory, its containers and backup files kept", async () => {
    const instance = await db.instance.findUniqueOrThrow({
      where: { name: "elab-umr5107" },
      omit: { secretsEnc: false },
    });
    const secretsOf = async () => {
      const row = await db.instance.findUniqueOrThrow({ where: { id: instance.id }, omit: { secretsEnc: false } });
      return {
        row,
        secrets: JSON.parse(open(ring, row.secretsEnc!, instanceSecretsContext(instance.id))) as Record<string, string>,
      };
    };
    expect((await secretsOf()).secrets.dbPassword).toBe(mysql.userPassword);
    // The lab admin re-installs: a new database password, the web container re-created with it.
    const newPassword = `new-${uniqueName("pw")}`;
    await waitHealthy(engine, mysql.container, 60_000); // started again by the test before
    await rootSql(engine, mysql, `ALTER USER 'elabftw'@'%' IDENTIFIED BY '${newPassword}';`);
    await removeContainer(engine, web, { force: true });
    await startWeb(
      web,
      { DB_HOST: "mysql", DB_PASSWORD: newPassword },
      { "com.docker.compose.project": run, "com.docker.compose.service": "web" },
    );
    // Discover does not offer it again (same name on the same host entry): re-reading is the way.
    expect((await discoverOnHost(db, ring, hostId)).map((p) => p.container.name)).not.toContain(web);
    const result = await rereadCredentials(db, ring, actor, instance.id, context);
    expect(result).toEqual({ changed: ["dbPassword"], containerChanged: true });
    const { row, secrets } = await secretsOf();
    expect(secrets).toMatchObject({ dbPassword: newPassword, secretKey: SECRET_KEY });
    expect(row.webContainerId).not.toBe(instance.webContainerId);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "instance.reread_credentials" } });
    expect(audit.params).toMatchObject({ changed: ["dbPassword"], containerChanged: true });
    expect(JSON.stringify({ ...audit, id: String(audit.id) })).not.toContain(newPassword);
    // Read again with nothing changed: says so.
    expect(await rereadCredentials(db, ring, actor, instance.id, context)).toEqual({
      changed: [],
      containerChanged: false,
    });

    // Remove from the inventory: refused while an operation holds it, then done; containers and files stay.
    const backupDir = mkdtempSync(path.join(tmpdir(), "kept-backup-"));
    writeFileSync(path.join(backupDir, "manifest.json"), "{}");
    await db.backup.create({
      data: {
        instanceId: instance.id,
        trigger: "manual",
        status: "succeeded",
        location: backupDir,
        finishedAt: new Date(),
      },
    });
    const holder = await db.operation.create({ data: { kind: "backup", state: "running", instanceId: instance.id } });
    await db.instance.update({ where: { id: instance.id }, data: { activeOperationId: holder.id } });
    const held = await removeInstanceFromInventory(db, actor, instance.id, context).catch((e: unknown) => e);
    expect((held as AppError).message).toBe("An operation is running on elab-umr5107.");
    expect(await db.instance.count({ where: { id: instance.id } })).toBe(1);
    await db.instance.update({ where: { id: instance.id }, data: { activeOperationId: null } });

    expect(await removeInstanceFromInventory(db, actor, instance.id, context)).toEqual({
      backupsKept: 1,
      directories: [backupDir],
    });
    expect(await db.instance.count({ where: { id: instance.id } })).toBe(0);
    expect(await db.backup.count({ where: { instanceId: instance.id } })).toBe(0);
    expect(existsSync(path.join(backupDir, "manifest.json"))).toBe(true);
    expect((await db.operation.findUniqueOrThrow({ where: { id: holder.id } })).instanceId).toBeNull();
    expect((await inspectContainer(engine, web)).state.running).toBe(true);
    const removed = await db.auditEvent.findFirstOrThrow({ where: { action: "instance.delete" } });
    expect(removed).toMatchObject({ instanceId: instance.id, outcome: "success" });
    expect(removed.params).toMatchObject({ name: "elab-umr5107", backupsKept: 1, backupDirectories: [backupDir] });
    // Discover offers it again.
    expect((await discoverOnHost(db, ring, hostId)).map((p) => p.container.name)).toContain(web);
  });
});
