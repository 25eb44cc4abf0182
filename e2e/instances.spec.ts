import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createContainer, pullImage, startContainer, type DockerClient } from "../lib/docker";
import { removeTestContainers, TEST_LABEL, TEST_SOCKET, testEngine, uniqueName } from "../test/support/docker";
import { createHash, randomBytes } from "node:crypto";
import { init, rootSql, startDatabase, type TestDatabase } from "../test/support/elabftw";
import { sql } from "./support/db";

/**
 * The inventory end to end: an eLabFTW 5.0.4 instance runs on the test engine,
 * laid out as the reference compose file does; the panel adds the engine as a
 * host, discovers the instance, adopts it, shows it on the dashboard with
 * "6.0.0 available", and its page checks it and streams its logs.
 */
const run = uniqueName("e2e-inv");
let engine: DockerClient;
let web = "";
let mysql: TestDatabase;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  engine = await testEngine();
  await pullImage(engine, "elabftw/elabimg:5.0.4");
  mysql = await startDatabase(engine, run);
  web = `${run}-elabftw`;
  await createContainer(engine, {
    name: web,
    image: "elabftw/elabimg:5.0.4",
    env: {
      DB_HOST: "mysql",
      DB_NAME: "elabftw",
      DB_USER: "elabftw",
      DB_PASSWORD: mysql.userPassword,
      SECRET_KEY: "def00000" + "c".repeat(120),
      SITE_URL: "https://elab-umr5107.unit.example",
    },
    labels: {
      [TEST_LABEL]: run,
      "com.docker.compose.project": "umr5107",
      "com.docker.compose.service": "web",
      "com.docker.compose.project.working_dir": "/srv/elabftw",
      "com.docker.compose.project.config_files": "/srv/elabftw/docker-compose.yml",
    },
    binds: [`${mkdtempSync(path.join(tmpdir(), "e2e-uploads-"))}:/elabftw/uploads`],
    restartPolicy: "always",
    network: { name: mysql.network },
  });
  await startContainer(engine, web);
  expect((await init(engine, web, "db:install")).exitCode).toBe(0);
});

test.afterAll(async () => {
  await sql(`DELETE FROM "Instance" WHERE name = 'umr5107'`);
  await sql(`DELETE FROM "Unit" WHERE code = 'UMR5107'`);
  await sql(`DELETE FROM "DockerHost" WHERE name = 'e2e-inventory'`);
  if (engine) await removeTestContainers(engine, run);
});

test("add the host, discover and adopt the instance, see it on the dashboard, open its page and live logs", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto("/hosts/new");
  await page.getByLabel("Name").fill("e2e-inventory");
  await page.getByLabel("Socket path").fill(TEST_SOCKET);
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(page.getByRole("heading", { name: "e2e-inventory" })).toBeVisible({ timeout: 30_000 });

  await page.getByRole("button", { name: "Discover", exact: true }).click();
  const proposal = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: web }) });
  await expect(proposal).toBeVisible({ timeout: 30_000 });
  await expect(proposal).toContainText("5.0.4");
  await expect(proposal).toContainText("https://elab-umr5107.unit.example");
  await expect(proposal).toContainText("network alias mysql");
  await expect(proposal).toContainText("project umr5107, /srv/elabftw/docker-compose.yml");
  await expect(proposal).toContainText("database password, SECRET_KEY, MySQL root password");
  await page.screenshot({ path: "test-results/screens/discover.png", fullPage: true });

  await proposal.getByLabel("Unit", { exact: true }).selectOption("new");
  await proposal.getByLabel("Unit code").fill("UMR5107");
  await proposal.getByLabel("Unit name").fill("Laboratoire de test");
  await expect(proposal.getByLabel("Name in the inventory")).toHaveValue("umr5107");
  await proposal.getByRole("button", { name: "Adopt this instance" }).click();

  // The instance page checks it at once, through its containers.
  await expect(page.getByRole("heading", { name: "umr5107" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("Running", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("schema 144, as the image requires")).toBeVisible();
  await expect(page.getByText("6.0.0 available (newest)")).toBeVisible();
  // The CNRS report: this layout keeps the database on the web host and is not hardened.
  await expect(page.getByRole("heading", { name: /^CNRS compliance: \d of \d checks pass$/ })).toBeVisible();
  const compliance = page.getByRole("table", { name: "CNRS compliance checks" });
  await expect(compliance.getByRole("row", { name: /Database on another machine/ })).toContainText("Fail");
  await expect(compliance.getByRole("row", { name: /Web container hardened/ })).toContainText(
    "no-new-privileges is not set",
  );
  await expect(compliance.getByRole("row", { name: /Image pinned to a version/ })).toContainText("Pass");
  const logs = page.getByLabel("Log lines");
  await expect(logs).toContainText("healthcheck.php", { timeout: 30_000 });
  await page.getByLabel("Stream").selectOption("stdout");
  await expect(logs).not.toContainText("healthcheck.php");
  await page.screenshot({ path: "test-results/screens/instance.png", fullPage: true });

  // Usage figures need an eLabFTW API key: a wrong one is refused and not kept, a working one shows the counts.
  const secret = randomBytes(42).toString("hex");
  const salt = randomBytes(8).toString("hex");
  const hash = `sha256$${salt}$${createHash("sha256")
    .update(salt + secret)
    .digest("hex")}`;
  await rootSql(
    engine,
    mysql,
    `INSERT INTO users (firstname, lastname, email, validated) VALUES ('Ada','L','ada@x',1); INSERT INTO api_keys (name, hash, userid, team) VALUES ('panel', '${hash}', 1, 1);`,
    "elabftw",
  );
  const usage = page.getByRole("region", { name: "Usage" });
  await expect(usage).toContainText("No eLabFTW API key is set for this instance");
  // Where the key is entered, the operator is told the panel uses it at every observation.
  await expect(usage).toContainText("eLabFTW shows this key as just used");
  await usage.getByLabel("eLabFTW API key").fill(`1-${"0".repeat(84)}`);
  await usage.getByRole("button", { name: "Save the key" }).click();
  await expect(usage.getByRole("alert")).toContainText("The key was not kept: eLabFTW refused the API key (HTTP 401)");
  await usage.getByLabel("eLabFTW API key").fill(`1-${secret}`);
  await usage.getByRole("button", { name: "Save the key" }).click();
  await expect(usage.getByText("1 active")).toBeVisible({ timeout: 30_000 });
  await expect(usage).toContainText("reported from eLabFTW 5.1.0"); // 5.0.4 does not report the uploads' size
  await usage.screenshot({ path: "test-results/screens/instance-usage.png" });

  // Repair and removal: each asks for confirmation with the key, saying what will (and will not) change.
  const repair = page.getByRole("region", { name: "Repair and removal" });
  await repair.getByRole("button", { name: "Remove from inventory" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove umr5107 from the inventory?" });
  await expect(confirm).toContainText("Its containers keep running and its restore points stay on disk");
  await expect(confirm.getByRole("button", { name: "Confirm with my security key" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/instance-remove-confirm.png" });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(repair.getByRole("button", { name: "Re-read credentials" })).toBeEnabled();
  await repair.screenshot({ path: "test-results/screens/instance-repair.png" });

  await page.goto("/");
  const row = page.getByRole("row", { name: /umr5107/ });
  await expect(row).toContainText("UMR5107");
  await expect(row).toContainText("5.0.4");
  await expect(row).toContainText("6.0.0 available");
  await expect(row).toContainText("Healthy");
  await expect(row).toContainText("Never"); // no backup yet
  await expect(row).toContainText(/\d+ %/); // compliance score
  await page.screenshot({ path: "test-results/screens/dashboard.png", fullPage: true });

  // Filters narrow the table, from the URL.
  await page.goto("/?state=stopped");
  await expect(page.getByText("No instance matches these filters.")).toBeVisible();
});
