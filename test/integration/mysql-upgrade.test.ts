import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { execCapture, inspectContainer, listContainers, listVolumes } from "../../lib/docker";
import { ensureBackupIdentity } from "../../lib/server/backups/identity";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { healthFromInside } from "../../lib/server/instances/observe";
import { parseDbCheck } from "../../lib/server/instances/elabftw-console";
import { executeOperation } from "../../lib/server/operations/execute";
import {
  mysqlCopyVolumeName,
  queueDatabaseUpgrade,
  requestDatabaseUpgrade,
} from "../../lib/server/upgrades/mysql-upgrade";
import { TEST_REGISTRY } from "../support/docker";
import { console_, rootSql } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { instanceFixture, type InstanceFixture } from "../support/instance-fixture";

const ring = parseKeyRing(generateKeySpec());
const TABLES = ["config", "experiments", "items", "teams", "uploads", "users"];

/**
 * MySQL 8.0 → 8.4 (the reference compose file's MySQL from eLabFTW 5.3.0) on the real engine, with the
 * mysql stand-ins: 8.4 refuses --default-authentication-plugin, locks mysql_native_password accounts
 * out, and upgrades an 8.0 data directory in place, after which 8.0 refuses to start on it. The
 * instance is as a 5.1.0 install left it: every account on mysql_native_password, the option in the
 * compose file's command, comments around it.
 */
describe("moving an instance's database from MySQL 8.0 to 8.4", () => {
  const database = useFreshDatabase("mysql_upgrade", { migrated: true });
  let db: Db;
  let f: InstanceFixture;
  let composeFile: string;
  let options: Parameters<typeof executeOperation>[3];
  const COMPOSE = `# eLabFTW of the unit (from the 5.1.0 example)
services:
  web:
    image: elabftw/elabimg:5.1.0
    restart: unless-stopped
  mysql:
    image: mysql:8.0 # the database
    # authentication as the 5.1.0 example had it:
    command: --default-authentication-plugin=mysql_native_password
    restart: always
  backup: # a service of the unit's own
    image: mysql:8.0
    command: ["--default-authentication-plugin=mysql_native_password"]
`;

  async function move(toImage?: string) {
    const c = await inspectContainer(f.engine, f.mysql.container);
    const operationId = toImage
      ? await queueDatabaseUpgrade(
          db,
          f.actor,
          { instanceId: f.instanceId, name: f.name, fromImage: c.image, toImage },
          f.context,
        )
      : await requestDatabaseUpgrade(db, ring, f.actor, { instanceId: f.instanceId }, f.context);
    const outcome = await executeOperation(db, ring, operationId, options);
    const operation = await db.operation.findUniqueOrThrow({
      where: { id: operationId },
      include: { logs: { orderBy: { id: "asc" } } },
    });
    return {
      outcome,
      operation,
      log: operation.logs.map((l) => l.message).join("\n"),
      leftovers: () => leftovers(operationId),
    };
  }

  async function state() {
    const c = await inspectContainer(f.engine, f.mysql.container);
    const checksums = await rootSql(f.engine, f.mysql, `CHECKSUM TABLE ${TABLES.join(", ")}`, f.schema);
    const accounts = await rootSql(
      f.engine,
      f.mysql,
      "SELECT user, host, plugin FROM mysql.user WHERE user IN ('root', 'elabftw') ORDER BY user, host",
    );
    const marker = await execCapture(f.engine, f.mysql.container, {
      cmd: ["cat", "/var/lib/mysql/mysql_upgrade_info"],
    });
    return {
      id: c.id,
      image: c.image,
      running: c.state.running,
      cmd: c.cmd,
      aliases: Object.fromEntries(
        Object.entries(c.networks).map(([n, v]) => [n, v.aliases.filter((a) => a !== c.id.slice(0, 12)).sort()]),
      ),
      restartPolicy: c.restartPolicy.name,
      checksums,
      accounts,
      dataBuiltBy: marker.stdout.trim(),
    };
  }
  /** What a move made for itself and must not leave behind: the copy of the data directory, the kept container. */
  const leftovers = async (operationId: string) => ({
    volumes: (await listVolumes(f.engine)).map((v) => v.name).filter((n) => n === mysqlCopyVolumeName(operationId)),
    containers: (await listContainers(f.engine, { all: true }))
      .map((c) => c.name)
      .filter((n) => n.includes("paillasse-rollback-mysql80")),
  });
  const webAnswers = async () => {
    const web = await inspectContainer(f.engine, f.web);
    const health = await healthFromInside(f.engine, web);
    const check = parseDbCheck((await console_(f.engine, f.web, "db:check")).stdout);
    return { health: health.verdict, upToDate: check?.upToDate };
  };

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const work = mkdtempSync(path.join(tmpdir(), "paillasse-mysql-"));
    const composeDir = path.join(work, "elabftw");
    mkdirSync(composeDir, { recursive: true });
    composeFile = path.join(composeDir, "docker-compose.yml");
    writeFileSync(composeFile, COMPOSE, { mode: 0o640 });
    const compose = (service: string) => ({
      "com.docker.compose.project": "elabftw",
      "com.docker.compose.project.working_dir": composeDir,
      "com.docker.compose.project.config_files": composeFile,
      "com.docker.compose.service": service,
    });
    options = {
      owner: "vitest",
      backup: {
        identityFile: path.join(work, "identity.txt"),
        defaultDir: path.join(work, "backups"),
        healthTimeoutMs: 25_000,
      },
      upgrade: { registry: { url: TEST_REGISTRY }, minFreeBytes: 1 },
    };
    await ensureBackupIdentity(options.backup!.identityFile!);
    f = await instanceFixture(db, ring, {
      label: "mysql84",
      image: "elabftw/elabimg:5.1.0",
      unitCode: "UMR9400",
      database: { cmd: ["--default-authentication-plugin=mysql_native_password"], labels: compose("mysql") },
      web: { restartPolicy: "unless-stopped", labels: compose("web") },
      seedSql: [
        "INSERT INTO experiments (title, body, date, userid) VALUES ('before the move', '<p>x</p>', CURDATE(), 1);",
      ],
    });
    // An account of the unit's own (a reporting tool, say), on mysql_native_password, whose password the panel does not know.
    await rootSql(f.engine, f.mysql, "CREATE USER 'report'@'%' IDENTIFIED BY 'not-known-to-the-panel';");
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  it("refuses while an account it cannot move would be locked out, and changes nothing", async () => {
    const before = await state();
    const { outcome, operation } = await move();
    expect(outcome).toBe("failed");
    expect(operation.error).toContain("report@%");
    expect(operation.error).toContain("mysql_native_password");
    expect(await state()).toEqual(before);
    expect(before.accounts.every(([, , plugin]) => plugin === "mysql_native_password")).toBe(true);
    expect(readFileSync(composeFile, "utf8")).toBe(COMPOSE);
    // Bad input is refused before anything is queued.
    await expect(
      requestDatabaseUpgrade(db, ring, f.actor, { instanceId: f.instanceId, tag: "9.0" }, f.context),
    ).rejects.toThrow(/not a MySQL 8.4 tag/);
    await rootSql(f.engine, f.mysql, "DROP USER 'report'@'%';");
  }, 120_000);

  it("rolls back to 8.0 on its data directory as it was when 8.4 fails to upgrade it", async () => {
    const before = await state();
    expect(before.dataBuiltBy).toBe("8.0.40");
    const { outcome, log, leftovers } = await move("mysql:8.4-fault-upgrade");
    expect(outcome).toBe("rolled_back");
    expect(log).toMatch(/Failed to upgrade server/);
    expect(log).toMatch(/Put back the data directory as it was/);
    const after = await state();
    // The same container, on 8.0, on the directory as it was at the stop: same data, no 8.4 mark (8.0 would refuse it).
    expect({ ...after, accounts: [] }).toEqual({ ...before, accounts: [] });
    // The accounts were moved on the running 8.0 before the stop, and keep caching_sha2_password (8.0 accepts it).
    expect(log).toMatch(/Moved root@localhost, root@%, elabftw@% to caching_sha2_password \(on 8\.0\)/);
    expect(after.accounts.map(([user, host]) => `${user}@${host}`)).toEqual(
      before.accounts.map(([user, host]) => `${user}@${host}`),
    );
    expect(after.accounts.filter(([, , plugin]) => plugin === "mysql_native_password")).toEqual([]);
    expect(await webAnswers()).toEqual({ health: "ok", upToDate: true });
    expect(readFileSync(composeFile, "utf8")).toBe(COMPOSE);
    expect(await leftovers()).toEqual({ volumes: [], containers: [] });
  }, 240_000);

  it("moves to 8.4: accounts on caching_sha2_password, the option gone, data identical, compose file rewritten", async () => {
    // The accounts as a 5.1.0 install has them again (the rollback above left them on caching_sha2_password).
    await rootSql(
      f.engine,
      f.mysql,
      `ALTER USER 'elabftw'@'%' IDENTIFIED BY '${f.mysql.userPassword}'; ALTER USER 'root'@'%' IDENTIFIED BY '${f.mysql.rootPassword}'; ALTER USER 'root'@'localhost' IDENTIFIED BY '${f.mysql.rootPassword}';`,
    );
    const before = await state();
    expect(before.accounts.every(([, , plugin]) => plugin === "mysql_native_password")).toBe(true);
    const { outcome, log, operation, leftovers } = await move();
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    const after = await state();
    expect(after.image).toBe("mysql:8.4");
    expect(after.running).toBe(true);
    expect(after.checksums).toEqual(before.checksums);
    expect(after.aliases).toEqual(before.aliases);
    expect(after.restartPolicy).toBe(before.restartPolicy);
    expect(after.cmd ?? []).not.toContain("--default-authentication-plugin=mysql_native_password");
    expect(after.dataBuiltBy).toBe("8.4.3");
    // caching_sha2_password on MySQL; the stand-in (MariaDB) records it as ed25519. Never mysql_native_password.
    expect(after.accounts.map(([user, host]) => `${user}@${host}`)).toEqual(
      before.accounts.map(([user, host]) => `${user}@${host}`),
    );
    expect(after.accounts.filter(([, , plugin]) => plugin === "mysql_native_password")).toEqual([]);
    expect((await rootSql(f.engine, f.mysql, "SELECT VERSION()"))[0]![0]).toBe("8.4.3");
    expect(await webAnswers()).toEqual({ health: "ok", upToDate: true });
    expect(
      (await rootSql(f.engine, f.mysql, "SELECT title FROM experiments ORDER BY id DESC LIMIT 1", f.schema))[0]![0],
    ).toBe("before the move");
    expect(readFileSync(composeFile, "utf8")).toBe(
      COMPOSE.replace("    image: mysql:8.0 # the database\n", "    image: mysql:8.4 # the database\n").replace(
        "    command: --default-authentication-plugin=mysql_native_password\n    restart: always\n",
        "    restart: always\n",
      ),
    );
    expect(log).toMatch(/Moved .*elabftw@%.* to caching_sha2_password/);
    expect(log).toMatch(/Moved to MySQL 8\.4\.3: downtime \d+\.\d s/);
    expect(await leftovers()).toEqual({ volumes: [], containers: [] });
    const backups = await db.backup.findMany({ where: { instanceId: f.instanceId, trigger: "pre_upgrade" } });
    expect(backups.some((b) => b.status === "succeeded" && b.verificationStatus === "passed")).toBe(true);
    // Nothing left to move: a second request is refused.
    await expect(requestDatabaseUpgrade(db, ring, f.actor, { instanceId: f.instanceId }, f.context)).rejects.toThrow(
      /not MySQL 8\.0/,
    );
  }, 300_000);
});
