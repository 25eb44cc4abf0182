import { expect, test } from "@playwright/test";
import {
  createContainer,
  execCapture,
  pullImage,
  removeVolume,
  startContainer,
  type DockerClient,
} from "../lib/docker";
import { removeTestContainers, TEST_LABEL, TEST_SOCKET, testEngine, uniqueName } from "../test/support/docker";
import { console_, init, rootSql, startDatabase, type TestDatabase } from "../test/support/elabftw";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { auditRows, e2eEnv, sql } from "./support/db";

/**
 * The reference upgrade from the UI: an operator opens a 5.0.4 instance with
 * data and uploads, clicks Upgrade, touches the key, follows the live steps,
 * and ends on 5.1.0 (schema 165, healthy) with the same data and uploads.
 */
test.use({ storageState: { cookies: [], origins: [] } });

const run = uniqueName("e2e-upg");
let engine: DockerClient;
let mysql: TestDatabase;
let web = "";

const uploadsDigest = async () =>
  (
    await execCapture(engine, web, {
      cmd: ["sh", "-c", "cd /elabftw && find uploads -type f -exec sha256sum {} + | sort"],
    })
  ).stdout;

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
      SECRET_KEY: "def00000" + "d".repeat(120),
      SITE_URL: "https://elab-umr8100.unit.example",
    },
    labels: { [TEST_LABEL]: run },
    network: { name: mysql.network },
    restartPolicy: "unless-stopped",
    volumes: { [`${run}-uploads`]: "/elabftw/uploads" },
  });
  await startContainer(engine, web);
  expect((await init(engine, web, "db:install")).exitCode).toBe(0);
  await rootSql(
    engine,
    mysql,
    "INSERT INTO experiments (title, body, date, userid) VALUES ('written on 5.0.4', 'x', CURDATE(), 1);",
    "elabftw",
  );
  await execCapture(engine, web, {
    cmd: ["sh", "-c", "mkdir -p /elabftw/uploads/ab && head -c 300000 /dev/urandom > /elabftw/uploads/ab/data.bin"],
  });
});

test.afterAll(async () => {
  await sql(`DELETE FROM "Backup" WHERE "instanceId" IN (SELECT id FROM "Instance" WHERE name = 'umr8100')`);
  await sql(`DELETE FROM "Instance" WHERE name = 'umr8100'`);
  await sql(`DELETE FROM "Unit" WHERE code = 'UMR8100'`);
  await sql(`DELETE FROM "DockerHost" WHERE name = 'e2e-upgrades'`);
  if (engine) await removeTestContainers(engine, run);
  if (engine) await removeVolume(engine, `${run}-uploads`).catch(() => undefined);
});

test("an operator upgrades a 5.0.4 instance to 5.1.0 with a key touch and follows it live", async ({ page }) => {
  test.setTimeout(300_000);
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), "upgrade.operator@unit.example", "operator", "Ugo Upgrade"));

  await page.goto("/hosts/new");
  await page.getByLabel("Name").fill("e2e-upgrades");
  await page.getByLabel("Socket path").fill(TEST_SOCKET);
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(page.getByRole("heading", { name: "e2e-upgrades" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Discover", exact: true }).click();
  const proposal = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: web }) });
  await expect(proposal).toBeVisible({ timeout: 30_000 });
  await proposal.getByLabel("Unit", { exact: true }).selectOption("new");
  await proposal.getByLabel("Unit code").fill("UMR8100");
  await proposal.getByLabel("Unit name").fill("Unité mise à jour");
  await proposal.getByLabel("Name in the inventory").fill("umr8100");
  await proposal.getByRole("button", { name: "Adopt this instance" }).click();
  await expect(page.getByRole("heading", { name: "umr8100" })).toBeVisible({ timeout: 30_000 });

  const before = await uploadsDigest();
  const version = page.getByRole("region", { name: "Version" });
  await expect(async () => {
    await page.reload();
    await expect(version).toContainText("6.0.0 available", { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  // The newest release is preselected; the dialog lists every release crossed and lets another one be chosen.
  await version.getByRole("button", { name: "Upgrade to 5.6.12…" }).click();
  const newest = page.getByRole("dialog", { name: "Upgrade umr8100 from 5.0.4 to 5.6.12?" });
  await expect(newest).toContainText("2 releases crossed");
  await expect(newest).toContainText("The database schema moves from 144 to 217.");
  // Read live from the instance before the key touch: 5.6.12's reference compose file runs MySQL 8.4, this one 8.0.
  await expect(newest.getByRole("region", { name: "What this upgrade will do here" })).toContainText(
    "The database server is MySQL 8.0.40; eLabFTW 5.6.12's reference compose file runs MySQL 8.4.",
    { timeout: 15_000 },
  );
  await expect(newest.getByRole("link", { name: "Release notes of 5.6.12" })).toHaveAttribute(
    "href",
    "https://github.com/elabftw/elabftw/releases/tag/5.6.12",
  );
  await page.screenshot({ path: "test-results/screens/upgrade-choose.png", fullPage: true });
  // 6.0 is offered, never preselected: its move to another container layout is said, with the user it will run as.
  await newest.getByLabel("Version").selectOption("6.0.0");
  const six = page.getByRole("dialog", { name: "Upgrade umr8100 from 5.0.4 to 6.0.0?" });
  await expect(six).toContainText("eLabFTW 6.0.0 runs its container another way");
  await expect(six).toContainText("container port 8080");
  await expect(six.getByLabel("Run eLabFTW as (uid:gid)")).toHaveValue("101:101");
  // The uploads already belong to 101:101 (5.x's nginx user) but for what was written as root: said with its count.
  await expect(six.getByRole("region", { name: "What this upgrade will do here" })).toContainText(
    /entr(y|ies) of the uploads will be given to that user/,
    { timeout: 15_000 },
  );
  await page.screenshot({ path: "test-results/screens/upgrade-layout.png", fullPage: true });
  await six.getByLabel("Version").selectOption("5.1.0");
  const dialog = page.getByRole("dialog", { name: "Upgrade umr8100 from 5.0.4 to 5.1.0?" });
  await expect(dialog).toContainText("puts 5.0.4 back");
  await expect(dialog).toContainText("The database schema moves from 144 to 165.");
  await expect(dialog.getByRole("region", { name: "What this upgrade will do here" })).toContainText(
    "Risk checks: nothing found",
    { timeout: 15_000 },
  );
  await expect(dialog.getByRole("link", { name: "Release notes of 5.1.0" })).toHaveAttribute(
    "href",
    "https://github.com/elabftw/elabftw/releases/tag/5.1.0",
  );
  await expect(dialog.getByRole("link", { name: "Release notes of 5.6.12" })).toHaveCount(0);
  await page.screenshot({ path: "test-results/screens/upgrade-confirm.png", fullPage: true });
  await dialog.getByRole("button", { name: "Upgrade, confirm with my key" }).click();

  await expect(page).toHaveURL(/\/operations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Upgrade of umr8100" })).toBeVisible();
  await expect(page.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole("status").filter({ hasText: "Upgraded to 5.1.0" })).toContainText("schema 165");
  await expect(page.getByText(/Downtime: \d+\.\d s/)).toBeVisible();
  const steps = page.getByRole("table", { name: "Steps" });
  for (const step of ["Back up and verify the backup", "Migrate the database schema", "Commit the upgrade"]) {
    await expect(steps.getByRole("row", { name: new RegExp(step) })).toContainText("Done");
  }
  await expect(page.getByText("db:update: All done.")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/upgrade-done.png", fullPage: true });

  // On the engine: 5.1.0, schema 165, the same experiment and uploads.
  const check = await console_(engine, web, "db:check");
  expect(check.stdout).toContain("No upgrade required.");
  expect(check.stdout).toMatch(/Current version:\s*165/);
  expect((await rootSql(engine, mysql, "SELECT title FROM experiments", "elabftw")).flat()).toContain(
    "written on 5.0.4",
  );
  expect(await uploadsDigest()).toBe(before);
  await page.goto("/instances");
  await page.getByRole("link", { name: "umr8100" }).click();
  await expect(page.getByRole("region", { name: "Version" })).toContainText("elabftw/elabimg:5.1.0");
  // Observed as soon as the upgrade ended: the containers table shows the new container, not the last minute's.
  const containers = page.getByRole("table", { name: "Containers" });
  await expect(async () => {
    await page.reload();
    await expect(containers).toContainText("elabftw/elabimg:5.1.0", { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  expect((await auditRows(`action LIKE 'instance.upgrade%'`)).map((r) => `${r.action}:${r.outcome}`)).toEqual([
    "instance.upgrade.request:success",
    "instance.upgraded:success",
  ]);

  // Tonight, unattended: the Upgrades page plans it (a key touch), lists it, and cancels it (another touch).
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upgrades", exact: true }).click();
  await expect(page.getByRole("heading", { name: "No upgrade planned" })).toBeVisible();
  await page.getByLabel("Upgrade to").selectOption("5.6.12");
  await page.getByRole("checkbox", { name: /umr8100/ }).check();
  await page.getByRole("button", { name: "Schedule…" }).click();
  const plan = page.getByRole("dialog", { name: "Schedule 1 upgrade to 5.6.12?" });
  await expect(plan).toContainText("umr8100");
  await expect(plan).toContainText("the ones after it are not started");
  await plan.getByRole("button", { name: "Schedule, confirm with my key" }).click();
  const planned = page.getByRole("table", { name: "Scheduled upgrades, latest first" });
  await expect(planned.getByRole("row", { name: /umr8100/ })).toContainText("Scheduled");
  await expect(planned.getByRole("row", { name: /umr8100/ })).toContainText("5.1.0 → 5.6.12");
  await page.screenshot({ path: "test-results/screens/upgrades-scheduled.png", fullPage: true });
  await planned.getByRole("button", { name: "Cancel…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel them, confirm with my key" }).click();
  await expect(planned.getByRole("row", { name: /umr8100/ })).toContainText("Cancelled");
  expect((await auditRows(`action LIKE 'upgrade.schedule%'`)).map((r) => `${r.action}:${r.outcome}`)).toEqual([
    "upgrade.schedule:success",
    "upgrade.schedule_cancel:success",
  ]);

  // Its database still runs MySQL 8.0 (every account on mysql_native_password): moved to 8.4 with a key touch.
  await page.goto("/instances");
  await page.getByRole("link", { name: "umr8100" }).click();
  await page.getByRole("button", { name: "Move to MySQL 8.4…" }).click();
  const moveDialog = page.getByRole("dialog", { name: "Move the database of umr8100 to MySQL 8.4" });
  await expect(moveDialog).toContainText("The database runs mysql:8.0.");
  await expect(moveDialog).toContainText("mysql_native_password");
  await expect(moveDialog).toContainText("puts MySQL 8.0 back on its data directory as it was at the stop");
  await page.screenshot({ path: "test-results/screens/mysql-move-confirm.png", fullPage: true });
  await moveDialog.getByRole("button", { name: "Move with my security key" }).click();
  await expect(page).toHaveURL(/\/operations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "MySQL 8.4 move of umr8100" })).toBeVisible();
  await expect(page.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole("status").filter({ hasText: "Moved to MySQL 8.4.3" })).toContainText(
    /Downtime: \d+\.\d s/,
  );
  await page.screenshot({ path: "test-results/screens/mysql-move-done.png", fullPage: true });
  expect((await rootSql(engine, mysql, "SELECT VERSION()")).flat()).toEqual(["8.4.3"]);
  expect((await rootSql(engine, mysql, "SELECT title FROM experiments", "elabftw")).flat()).toContain(
    "written on 5.0.4",
  );
  expect((await auditRows(`action LIKE 'instance.database_upgrade%'`)).map((r) => `${r.action}:${r.outcome}`)).toEqual([
    "instance.database_upgrade.request:success",
    "instance.database_upgraded:success",
  ]);
});
