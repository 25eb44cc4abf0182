import { expect, test } from "@playwright/test";
import { createContainer, pullImage, removeVolume, startContainer, type DockerClient } from "../lib/docker";
import { removeTestContainers, TEST_LABEL, TEST_SOCKET, testEngine, uniqueName } from "../test/support/docker";
import { init, startDatabase } from "../test/support/elabftw";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { auditRows, e2eEnv, sql } from "./support/db";

/**
 * Backups end to end: an operator adopts a running instance, runs a backup,
 * watches it on the live operation page, sees it verified by a test restore;
 * the unit's correspondant CLE signs in with a key and reads the status page
 * with its chart, and only their unit's instance.
 */
test.use({ storageState: { cookies: [], origins: [] } });

const run = uniqueName("e2e-bkp");
let engine: DockerClient;
let web = "";

test.beforeAll(async () => {
  test.setTimeout(180_000);
  engine = await testEngine();
  await pullImage(engine, "elabftw/elabimg:5.1.0");
  const mysql = await startDatabase(engine, run);
  web = `${run}-elabftw`;
  await createContainer(engine, {
    name: web,
    image: "elabftw/elabimg:5.1.0",
    env: {
      DB_HOST: "mysql",
      DB_NAME: "elabftw",
      DB_USER: "elabftw",
      DB_PASSWORD: mysql.userPassword,
      SECRET_KEY: "def00000" + "b".repeat(120),
      SITE_URL: "https://elab-umr8000.unit.example",
    },
    labels: { [TEST_LABEL]: run },
    network: { name: mysql.network },
    volumes: { [`${run}-uploads`]: "/elabftw/uploads" },
  });
  await startContainer(engine, web);
  expect((await init(engine, web, "db:install")).exitCode).toBe(0);
});

test.afterAll(async () => {
  await sql(`DELETE FROM "Backup" WHERE "instanceId" IN (SELECT id FROM "Instance" WHERE name = 'umr8000')`);
  await sql(`DELETE FROM "Instance" WHERE name = 'umr8000'`);
  await sql(`DELETE FROM "BackupPolicy" WHERE name = 'Nightly e2e'`);
  await sql(`DELETE FROM "Unit" WHERE code = 'UMR8000'`);
  await sql(`DELETE FROM "DockerHost" WHERE name = 'e2e-backups'`);
  if (engine) await removeTestContainers(engine, run);
  if (engine) await removeVolume(engine, `${run}-uploads`).catch(() => undefined);
});

test("an operator backs up an instance and sees it verified; its correspondant reads the status page", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), "backup.operator@unit.example", "operator", "Bea Backup"));

  await page.goto("/hosts/new");
  await page.getByLabel("Name").fill("e2e-backups");
  await page.getByLabel("Socket path").fill(TEST_SOCKET);
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(page.getByRole("heading", { name: "e2e-backups" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: "Discover", exact: true }).click();
  const proposal = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: web }) });
  await expect(proposal).toBeVisible({ timeout: 30_000 });
  await proposal.getByLabel("Unit", { exact: true }).selectOption("new");
  await proposal.getByLabel("Unit code").fill("UMR8000");
  await proposal.getByLabel("Unit name").fill("Unité sauvegardée");
  await proposal.getByLabel("Name in the inventory").fill("umr8000");
  await proposal.getByRole("button", { name: "Adopt this instance" }).click();
  await expect(page.getByRole("heading", { name: "umr8000" })).toBeVisible({ timeout: 30_000 });

  const backups = page.getByRole("region", { name: "Backups" });
  await expect(backups).toContainText("No backup yet");
  await backups.getByRole("button", { name: "Back up now" }).click();
  await expect(page).toHaveURL(/\/operations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Backup of umr8000" })).toBeVisible();
  await expect(page.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 120_000 });
  const steps = page.getByRole("table", { name: "Steps" });
  await expect(steps.getByRole("row", { name: /Dump the database/ })).toContainText("Done");
  await expect(page.getByText(/Restore point complete: .* MiB in \d+ s\./)).toBeVisible();
  await page.screenshot({ path: "test-results/screens/backup-done.png", fullPage: true });

  // The verification runs right after; the instance page shows the restore point verified.
  await page.goto("/instances");
  await page.getByRole("link", { name: "umr8000" }).click();
  await expect(page.getByRole("heading", { name: "umr8000" })).toBeVisible();
  const points = page.getByRole("table", { name: "Restore points" });
  await expect(async () => {
    await page.reload();
    await expect(points.getByRole("row").nth(1)).toContainText("Verified", { timeout: 2_000 });
  }).toPass({ timeout: 120_000 });
  await expect(points.getByRole("row").nth(1)).toContainText("On demand");
  await expect(points.getByRole("row").nth(1)).toContainText("encrypted files");
  await expect(points.getByRole("row").nth(1)).toContainText("165");
  await page.screenshot({ path: "test-results/screens/instance-backups.png", fullPage: true });
  // A nightly policy, assigned from the instance page.
  await page.goto("/backups");
  await page.getByRole("link", { name: "Backup policies" }).click();
  await page.getByLabel("Name").fill("Nightly e2e");
  await page.getByLabel("Schedule").fill("every night");
  await page.getByRole("button", { name: "Save the policy" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "Schedule must be a five-field cron expression" }),
  ).toBeVisible();
  await page.getByLabel("Schedule").fill("30 2 * * *");
  await page.getByRole("button", { name: "Save the policy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Policy “Nightly e2e” saved" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Backup policies" })).toContainText("60 days, at least 7");
  await page.goto("/instances");
  await page.getByRole("link", { name: "umr8000" }).click();
  await page.getByLabel("Backup policy").selectOption({ label: "Nightly e2e (30 2 * * *, 60 days, at least 7)" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();

  // Restore it (a key touch for this very backup): safety backup, reload, health, on the live page.
  await points.getByRole("row").nth(1).getByRole("button", { name: "Restore…" }).click();
  const dialog = page.getByRole("dialog", { name: "Restore umr8000 from this backup?" });
  await expect(dialog).toContainText("schema 165");
  await expect(dialog).toContainText("a safety backup of the current state");
  await dialog.getByRole("button", { name: "Restore, confirm with my key" }).click();
  await expect(page).toHaveURL(/\/operations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Restore of umr8000" })).toBeVisible();
  await expect(page.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(
    page.getByRole("table", { name: "Steps" }).getByRole("row", { name: /Take a safety backup/ }),
  ).toContainText("Done");
  await page.screenshot({ path: "test-results/screens/restore-done.png", fullPage: true });
  expect(
    (await auditRows(`action IN ('backup.request', 'backup.created', 'backup.verified')`)).map(
      (r) => `${r.action}:${r.outcome}`,
    ),
  ).toEqual(["backup.request:success", "backup.created:success", "backup.verified:success"]);

  // The unit's correspondant: read-only status page, only their unit, with the sizes chart.
  const link = inviteFromCommandLine(e2eEnv(), "cle.backups@unit.example", "correspondant", "Camille Sauvegarde");
  await sql(
    `INSERT INTO "UnitMembership" ("operatorId", "unitId") SELECT o.id, u.id FROM "Operator" o, "Unit" u WHERE o.email = 'cle.backups@unit.example' AND u.code = 'UMR8000'`,
  );
  const cle = await (await browser.newContext()).newPage();
  await addVirtualKey(cle);
  await enrol(cle, link);
  await cle.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Backups" }).click();
  const card = cle.getByRole("region", { name: "umr8000 · UMR8000" });
  await expect(card).toContainText("Up to date");
  await expect(card).toContainText("Verified");
  await expect(card).toContainText("(30 2 * * *)"); // the next scheduled run
  await expect(
    card.getByRole("figure", { name: "Backup sizes of umr8000 over time" }).locator("svg").first(),
  ).toBeVisible();
  await expect(cle.getByRole("region")).toHaveCount(2); // this card and the recent restore points, nothing else
  await expect(card.getByRole("button")).toHaveCount(0); // read-only
  await cle.screenshot({ path: "test-results/screens/backups-status.png", fullPage: true });
});
