/**
 * The fixture images behave as eLabFTW's documentation and code say the real ones do, so the
 * panel is tested against something faithful, not something convenient.
 */
import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createContainer,
  execCapture,
  inspectContainer,
  inspectImage,
  pullImage,
  removeContainer,
  startContainer,
  waitContainer,
  containerLogs,
  type DockerClient,
} from "../../lib/docker";
import { removeTestContainers, TEST_LABEL, testEngine, uniqueName } from "../support/docker";
import {
  console_,
  freshSchema,
  httpInside,
  init,
  REFERENCE_DB_HEALTHCHECK,
  replaceWeb,
  rootSql,
  startDatabase,
  startWeb,
  type TestDatabase,
} from "../support/elabftw";

const run = uniqueName("standin");
let client: DockerClient;
let db: TestDatabase;
let key: string;

beforeAll(async () => {
  client = await testEngine();
  db = await startDatabase(client, run);
  const web = await startWeb(client, run, db, {
    image: "elabftw/elabimg:5.0.4",
    database: "elabftw",
    secretKey: "unused",
  });
  key = (await init(client, web, "tools:genkey")).stdout.trim();
  await removeContainer(client, web, { force: true });
}, 120_000);

afterAll(async () => {
  if (client) await removeTestContainers(client, run);
});

const schemaOf = async (database: string) =>
  Number((await rootSql(client, db, "SELECT conf_value FROM config WHERE conf_name = 'schema'", database))[0]?.[0]);
const columnsOf = async (database: string, table: string) =>
  (
    await rootSql(
      client,
      db,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = '${database}' AND table_name = '${table}'`,
    )
  ).map((r) => r[0]);
const tablesOf = async (database: string) =>
  (
    await rootSql(client, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${database}'`)
  ).map((r) => r[0]);

/** A database installed by the 5.0.4 image (schema 144). */
async function installed504(): Promise<{ database: string; web: string }> {
  const database = await freshSchema(client, db);
  const web = await startWeb(client, run, db, { image: "elabftw/elabimg:5.0.4", database, secretKey: key });
  const result = await init(client, web, "db:install");
  expect(result.exitCode).toBe(0);
  return { database, web };
}

describe("images", () => {
  it("carry the eLabFTW labels and the 5.x healthcheck (every 2 minutes, no start period)", async () => {
    for (const [tag, version] of [
      ["5.0.4", "5.0.4"],
      ["5.1.0", "5.1.0"],
      ["5.1.0-fault-migration", "5.1.0"],
    ]) {
      const image = await pullImage(client, `elabftw/elabimg:${tag}`);
      expect(image.labels["net.elabftw.elabftw-version"]).toBe(version);
      expect(image.labels["net.elabftw.image-version"]).toBeTruthy();
      expect(image.healthcheck?.intervalMs).toBe(120_000);
      expect(image.healthcheck?.startPeriodMs).toBeUndefined();
    }
    const raw = await inspectImage(client, "elabftw/elabimg:5.1.0");
    expect(raw.elabftwVersion).toBe("5.1.0");
  });

  it("bin/init tools:genkey prints a new def00000… key each time", async () => {
    const { web } = await installed504();
    const a = (await init(client, web, "tools:genkey")).stdout.trim();
    const b = (await init(client, web, "tools:genkey")).stdout.trim();
    expect(a).toMatch(/^def00000[0-9a-f]{128}$/);
    expect(b).not.toBe(a);
  });
});

describe("the reference upgrade path, 5.0.4 → 5.1.0", () => {
  it("installs on 5.0.4, then on 5.1.0 reports 144 → 165, migrates through 21 files, and is in sync", async () => {
    const database = await freshSchema(client, db);
    let web = await startWeb(client, run, db, { image: "elabftw/elabimg:5.0.4", database, secretKey: key });

    const first = await init(client, web, "db:install");
    expect(first.exitCode).toBe(0);
    const again = await init(client, web, "db:install");
    expect(again).toMatchObject({
      exitCode: 0,
      stdout: "→ Database structure already present. Skipping initialization.\n",
    });

    const check504 = await console_(client, web, "db:check");
    expect(check504).toMatchObject({
      exitCode: 0,
      stdout: "Database check\n==============\nCurrent version: 144\nRequired version: 144\nNo upgrade required.\n",
    });
    expect(await httpInside(client, web, "/healthcheck")).toMatchObject({ status: 204 });
    expect(await httpInside(client, web, "/healthcheck.php")).toEqual({ status: 200, body: "ok" });
    expect((await httpInside(client, web, "/")).body).toContain("Login - eLabFTW");
    const owner = await execCapture(client, web, { cmd: ["stat", "-c", "%u:%g", "/elabftw/uploads"] });
    expect(owner.stdout.trim()).toBe("101:101");

    web = await replaceWeb(client, run, db, web, { image: "elabftw/elabimg:5.1.0", database, secretKey: key });
    const check = await console_(client, web, "db:check");
    expect(check).toMatchObject({
      exitCode: 1,
      stdout: "Database check\n==============\nCurrent version: 144\nRequired version: 165\nAn upgrade is required.\n",
    });
    // HTTP 200 proves nothing while an update is pending.
    for (const path of ["/", "/experiments.php", "/api/v2/info"]) {
      const page = await httpInside(client, web, path);
      expect(page.status).toBe(200);
      expect(page.body).toContain("Almost there!");
    }

    const update = await console_(client, web, "db:update");
    expect(update.exitCode).toBe(0);
    // UpdateDatabase.php runs db:check first: its report, then the update.
    expect(
      update.stdout.startsWith(
        "Database check\n==============\nCurrent version: 144\nRequired version: 165\nAn upgrade is required.\nDatabase update starting\n",
      ),
    ).toBe(true);
    const banners = update.stdout.match(/SCHEMA\d+\.SQL/g) ?? [];
    expect(banners).toEqual(Array.from({ length: 21 }, (_, i) => `SCHEMA${145 + i}.SQL`));
    expect(update.stdout).toContain("Executing: ALTER TABLE users DROP COLUMN phone;");
    expect(update.stdout.trimEnd().endsWith("All done.")).toBe(true);

    expect(await schemaOf(database)).toBe(165);
    expect(await columnsOf(database, "users")).not.toContain("phone");
    expect(await columnsOf(database, "users")).toContain("orcid");
    expect(await columnsOf(database, "items")).not.toContain("available");
    expect(await tablesOf(database)).toContain("notifications");

    expect(await console_(client, web, "db:check")).toMatchObject({
      exitCode: 0,
      stdout: "Database check\n==============\nCurrent version: 165\nRequired version: 165\nNo upgrade required.\n",
    });
    expect((await httpInside(client, web, "/")).body).toContain("Login - eLabFTW");

    // Nothing left to do: db:check's report only (it returned 0), exit 0, no "All done.".
    const noop = await console_(client, web, "db:update");
    expect(noop).toMatchObject({
      exitCode: 0,
      stdout: "Database check\n==============\nCurrent version: 165\nRequired version: 165\nNo upgrade required.\n",
    });

    // A downgraded image: schema ahead. db:check says an upgrade is required
    // (exit 1), db:update exits 0 and changes nothing.
    web = await replaceWeb(client, run, db, web, { image: "elabftw/elabimg:5.0.4", database, secretKey: key });
    expect(await console_(client, web, "db:check")).toMatchObject({
      exitCode: 1,
      stdout: "Database check\n==============\nCurrent version: 165\nRequired version: 144\nAn upgrade is required.\n",
    });
    const ahead = await console_(client, web, "db:update");
    expect(ahead.exitCode).toBe(0);
    expect(ahead.stdout).not.toMatch(/SCHEMA\d+\.SQL/);
    expect(ahead.stdout.trimEnd().endsWith("Database update starting\n========================\nAll done.")).toBe(true);
    expect(await schemaOf(database)).toBe(165);
  });
});

describe("a late 5.x release, 5.6.12 (schema 217)", () => {
  it("has no image-version label; from 5.1.0 migrates 166 → 217 and ends with “Updated to schema 217.”", async () => {
    const image = await pullImage(client, "elabftw/elabimg:5.6.12");
    expect(image.labels["net.elabftw.elabftw-version"]).toBe("5.6.12");
    expect(image.labels["net.elabftw.image-version"]).toBeUndefined();

    const { database, web: old } = await installed504();
    let web = await replaceWeb(client, run, db, old, { image: "elabftw/elabimg:5.1.0", database, secretKey: key });
    expect((await console_(client, web, "db:update")).stdout).toContain("All done.");
    web = await replaceWeb(client, run, db, web, { image: "elabftw/elabimg:5.6.12", database, secretKey: key });
    // From 5.5.14 the "Almost there!" page is an HTTP 500 (init.inc.php), no longer die()'s 200.
    for (const path of ["/", "/api/v2/info"]) {
      const page = await httpInside(client, web, path);
      expect(page.status).toBe(500);
      expect(page.body).toContain("Almost there!");
    }
    const update = await console_(client, web, "db:update");
    expect(update.exitCode).toBe(0);
    const banners = update.stdout.match(/SCHEMA\d+\.SQL/g) ?? [];
    expect(banners).toEqual(Array.from({ length: 52 }, (_, i) => `SCHEMA${166 + i}.SQL`));
    expect(update.stdout).not.toContain("All done.");
    expect(update.stdout.trimEnd().endsWith("Updated to schema 217.")).toBe(true);
    expect(await schemaOf(database)).toBe(217);
    // From 5.2.0 the code records the schema after each file: files 167 and on do not set it themselves.
    expect(await columnsOf(database, "users")).toContain("token");
    expect(await tablesOf(database)).toContain("team_events");
    expect((await console_(client, web, "db:check")).stdout).toContain("No upgrade required.");
    expect((await httpInside(client, web, "/")).body).toContain("Login - eLabFTW");
  });

  it("MAINTENANCE_MODE=true serves the maintenance page, refuses writes with 405, keeps /healthcheck; 5.1.0 ignores it", async () => {
    const { database, web: old } = await installed504();
    const salt = "ab12";
    const secret = "c".repeat(40);
    const hash = `sha256$${salt}$${createHash("sha256")
      .update(salt + secret)
      .digest("hex")}`;
    let web = await replaceWeb(client, run, db, old, { image: "elabftw/elabimg:5.6.12", database, secretKey: key });
    expect((await console_(client, web, "db:update")).stdout).toContain("Updated to schema 217.");
    await rootSql(
      client,
      db,
      `INSERT INTO users (firstname, lastname, email, validated) VALUES ('A','A','a@x',1); INSERT INTO api_keys (name, hash, userid, team) VALUES ('k', '${hash}', 1, 1);`,
      database,
    );
    const write = (w: string) =>
      httpInside(client, w, "/api/v2/experiments", "https", {
        method: "POST",
        body: JSON.stringify({ title: "pendant la maintenance" }),
        headers: { Authorization: `1-${secret}`, "Content-Type": "application/json" },
      });
    const count = async () => Number((await rootSql(client, db, "SELECT COUNT(*) FROM experiments", database))[0]?.[0]);

    const open = await write(web);
    expect(open.status).toBe(201);
    expect(open.location).toMatch(/^\/api\/v2\/experiments\/\d+$/);
    expect(await count()).toBe(1);

    web = await replaceWeb(client, run, db, web, {
      image: "elabftw/elabimg:5.6.12",
      database,
      secretKey: key,
      env: { MAINTENANCE_MODE: "true" },
    });
    expect(await write(web)).toMatchObject({ status: 405 });
    expect(await count()).toBe(1);
    expect(await httpInside(client, web, "/experiments.php")).toMatchObject({ status: 200 });
    expect((await httpInside(client, web, "/")).body).toContain("Maintenance in progress");
    expect((await httpInside(client, web, "/healthcheck")).status).toBe(204);
    // nginx serves the maintenance page for /healthcheck.php too: PHP is not asked.
    expect((await httpInside(client, web, "/healthcheck.php")).body).toContain("Maintenance in progress");

    // 5.1.0 has no maintenance mode: the variable changes nothing.
    const { database: other, web: old510 } = await installed504();
    const w510 = await replaceWeb(client, run, db, old510, {
      image: "elabftw/elabimg:5.1.0",
      database: other,
      secretKey: key,
      env: { MAINTENANCE_MODE: "true" },
    });
    await console_(client, w510, "db:update");
    expect((await httpInside(client, w510, "/")).body).toContain("Login - eLabFTW");
  });

  it("its fault variant fails halfway through schema 210: exit 255, schema left at 209, the first statement committed", async () => {
    const { database, web: old } = await installed504();
    const web = await replaceWeb(client, run, db, old, {
      image: "elabftw/elabimg:5.6.12-fault-migration",
      database,
      secretKey: key,
    });
    const update = await console_(client, web, "db:update");
    expect(update.exitCode).toBe(255);
    expect(update.stdout).toContain("SCHEMA210.SQL");
    expect(update.stdout).not.toContain("Updated to schema");
    expect(update.stderr).toMatch(/schema210\.sql/);
    expect(await schemaOf(database)).toBe(209);
    expect(await columnsOf(database, "uploads")).toContain("storage");
    const rerun = await console_(client, web, "db:update");
    expect(rerun.exitCode).toBe(255);
    expect(rerun.stderr).toMatch(/Duplicate column/i);
  });
});

describe("quirks and faults", () => {
  it("a migration that fails halfway exits 255 and leaves the schema partly changed; a re-run fails too", async () => {
    const { database, web: old } = await installed504();
    const web = await replaceWeb(client, run, db, old, {
      image: "elabftw/elabimg:5.1.0-fault-migration",
      database,
      secretKey: key,
    });
    const update = await console_(client, web, "db:update");
    expect(update.exitCode).toBe(255);
    expect(update.stdout).toContain("SCHEMA155.SQL");
    expect(update.stdout).not.toContain("All done.");
    expect(update.stderr).toMatch(/schema155\.sql/);
    expect(await schemaOf(database)).toBe(154);
    // The first statement of the failed file committed on its own.
    expect(await columnsOf(database, "experiments")).toContain("content_type");

    const rerun = await console_(client, web, "db:update");
    expect(rerun.exitCode).toBe(255);
    expect(rerun.stderr).toMatch(/Duplicate column/i);
    expect(await schemaOf(database)).toBe(154);
  });

  it("the unhealthy variant never reports healthy, even with its database up", async () => {
    const { database, web: old } = await installed504();
    const web = await replaceWeb(client, run, db, old, {
      image: "elabftw/elabimg:5.1.0-fault-unhealthy",
      database,
      secretKey: key,
    });
    expect(await httpInside(client, web, "/healthcheck.php")).toEqual({ status: 500, body: "ko" });
    expect((await httpInside(client, web, "/healthcheck")).status).not.toBe(204);
  });

  it("the console variant exits 0 without running the command", async () => {
    const { database, web: old } = await installed504();
    const web = await replaceWeb(client, run, db, old, {
      image: "elabftw/elabimg:5.1.0-fault-console",
      database,
      secretKey: key,
    });
    const check = await console_(client, web, "db:check");
    expect(check.exitCode).toBe(0);
    expect(check.stdout).not.toContain("Database check");
    const update = await console_(client, web, "db:update");
    expect(update.exitCode).toBe(0);
    expect(update.stdout).not.toContain("All done.");
    expect(await schemaOf(database)).toBe(144);
  });

  it("with a stored SMTP password, a changed SECRET_KEY makes bin/console exit 0 without running", async () => {
    const { database, web: old } = await installed504();
    const fingerprint = createHmac("sha256", key).update("smtp_password").digest("hex");
    await rootSql(
      client,
      db,
      `UPDATE config SET conf_value = '${fingerprint}' WHERE conf_name = 'smtp_password'`,
      database,
    );
    const otherKey = "def00000" + "ab".repeat(64);
    const web = await replaceWeb(client, run, db, old, {
      image: "elabftw/elabimg:5.1.0",
      database,
      secretKey: otherKey,
    });
    const update = await console_(client, web, "db:update");
    expect(update.exitCode).toBe(0);
    expect(update.stdout).not.toContain("All done.");
    expect(update.stderr).toContain("WrongKeyOrModifiedCiphertextException");
    expect(await schemaOf(database)).toBe(144);

    const good = await replaceWeb(client, run, db, web, { image: "elabftw/elabimg:5.1.0", database, secretKey: key });
    expect((await console_(client, good, "db:update")).stdout).toContain("All done.");
    expect(await schemaOf(database)).toBe(165);
  });

  it("uses its DB_* settings for real: a wrong password makes health ko and db:check fail", async () => {
    const { database, web: old } = await installed504();
    const web = await replaceWeb(client, run, db, old, {
      image: "elabftw/elabimg:5.0.4",
      database,
      secretKey: key,
      env: { DB_PASSWORD: "wrong" },
    });
    expect(await httpInside(client, web, "/healthcheck.php")).toEqual({ status: 500, body: "ko" });
    expect((await httpInside(client, web, "/healthcheck")).status).toBe(204); // nginx alone says nothing
    const check = await console_(client, web, "db:check");
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toMatch(/Access denied/);
  });

  it("serves TLS with a self-signed certificate on 443, or plain HTTP on 443 with DISABLE_HTTPS=true", async () => {
    const { database, web: tlsWeb } = await installed504();
    expect((await httpInside(client, tlsWeb, "/healthcheck", "https")).status).toBe(204);
    const cert = await execCapture(client, tlsWeb, {
      cmd: [
        "sh",
        "-c",
        "echo | openssl s_client -connect localhost:443 2>/dev/null | openssl x509 -noout -issuer -subject",
      ],
    });
    const [issuer, subject] = cert.stdout.trim().split("\n");
    expect(issuer?.replace(/^issuer=/, "")).toBe(subject?.replace(/^subject=/, ""));

    const plain = await startWeb(client, run, db, {
      image: "elabftw/elabimg:5.0.4",
      database,
      secretKey: key,
      env: { DISABLE_HTTPS: "true" },
    });
    expect((await httpInside(client, plain, "/healthcheck.php", "http")).body).toBe("ok");
  });

  it("refuses to start without SITE_URL, saying so", async () => {
    await pullImage(client, "elabftw/elabimg:5.1.0");
    const name = uniqueName("nosite");
    await createContainer(client, {
      name,
      image: "elabftw/elabimg:5.1.0",
      env: { DB_HOST: "mysql", DB_PASSWORD: "x", SECRET_KEY: key },
      labels: { [TEST_LABEL]: run },
    });
    await startContainer(client, name);
    expect(await waitContainer(client, name)).toBe(1);
    const lines: string[] = [];
    for await (const line of containerLogs(client, name)) lines.push(line.text);
    expect(lines.join("\n")).toContain("SITE_URL is not set");
  });
});

describe("the mysql:8.0 stand-in", () => {
  it("answers the reference healthcheck, dumps with mysqldump, keeps its data owned 999:999", async () => {
    const details = await inspectContainer(client, db.container);
    expect(details.state.health).toBe("healthy");
    expect(details.healthcheck?.test).toEqual(REFERENCE_DB_HEALTHCHECK);
    const dump = await execCapture(client, db.container, {
      cmd: ["mysqldump", "-uelabftw", "--single-transaction", "--no-tablespaces", "elabftw"],
      env: { MYSQL_PWD: db.userPassword },
    });
    expect(dump.exitCode).toBe(0);
    expect(dump.stdout).toMatch(/-- Dump completed on /);
    const owner = await execCapture(client, db.container, { cmd: ["stat", "-c", "%u:%g", "/var/lib/mysql"] });
    expect(owner.stdout.trim()).toBe("999:999");
    const collations = await rootSql(client, db, "SHOW COLLATION LIKE 'utf8mb4_0900_ai_ci'");
    expect(collations.length).toBe(1);
    // TZ=Europe/Paris is honoured (CET in winter, CEST in summer).
    const zone = await rootSql(client, db, "SELECT @@system_time_zone");
    expect(zone[0]?.[0]).toMatch(/^CES?T$/);
  });

  it("applies MYSQL_ROOT_PASSWORD only when the data directory is first created", async () => {
    await createContainer(client, {
      name: uniqueName("reinit"),
      image: "mysql:8.0",
      env: { MYSQL_ROOT_PASSWORD: "first" },
      labels: { [TEST_LABEL]: run },
      volumes: { [`${run}-data`]: "/var/lib/mysql" },
    }).then(async (id) => {
      await startContainer(client, id);
      await waitForSql(id, "first");
      await removeContainer(client, id, { force: true });
    });
    const second = await createContainer(client, {
      name: uniqueName("reinit"),
      image: "mysql:8.0",
      env: { MYSQL_ROOT_PASSWORD: "second" },
      labels: { [TEST_LABEL]: run },
      volumes: { [`${run}-data`]: "/var/lib/mysql" },
    });
    await startContainer(client, second);
    await waitForSql(second, "first");
    const refused = await execCapture(client, second, {
      cmd: ["mysql", "-uroot", "-e", "SELECT 1"],
      env: { MYSQL_PWD: "second" },
    });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toMatch(/Access denied/);
  });
});

async function waitForSql(container: string, password: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const r = await execCapture(client, container, {
      cmd: ["mysql", "-uroot", "-e", "SELECT 1"],
      env: { MYSQL_PWD: password },
    });
    if (r.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${container} never accepted the root password`);
}
