import { expect, test } from "@playwright/test";
import { listContainers, listNetworks, listVolumes, removeContainer, removeNetwork, removeVolume } from "../lib/docker";
import { TEST_SOCKET, testEngine } from "../test/support/docker";
import { freePort } from "../test/support/ports";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { auditRows, e2eEnv, sql } from "./support/db";

/**
 * The deploy wizard end to end: an operator with a virtual key adds the test
 * engine as a host, answers the wizard, reviews the plan, confirms with a key
 * touch, follows the live operation to "running", and finds the new instance
 * healthy in the inventory.
 */
test.use({ storageState: { cookies: [], origins: [] } });

const NAME = "e2e-deployed";

async function removeDeployment() {
  const engine = await testEngine();
  for (const c of await listContainers(engine, { all: true, labels: [`net.paillasse.instance=${NAME}`] })) {
    await removeContainer(engine, c.id, { force: true }).catch(() => undefined);
  }
  for (const v of (await listVolumes(engine)).filter((v) => v.labels["net.paillasse.instance"] === NAME)) {
    await removeVolume(engine, v.name).catch(() => undefined);
  }
  for (const n of (await listNetworks(engine)).filter((n) => n.labels["net.paillasse.instance"] === NAME)) {
    await removeNetwork(engine, n.name).catch(() => undefined);
  }
}

test.afterAll(async () => {
  await removeDeployment();
  await sql(`DELETE FROM "Instance" WHERE name = $1`, [NAME]);
  await sql(`DELETE FROM "Unit" WHERE code = 'UMR7000'`);
  await sql(`DELETE FROM "DockerHost" WHERE name = 'e2e-deploy'`);
});

test("deploy a new instance through the wizard, with a key touch, and follow it live to a healthy instance", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), "deployer@unit.example", "operator", "Dee Ployer"));

  await page.goto("/hosts/new");
  await page.getByLabel("Name").fill("e2e-deploy");
  await page.getByLabel("Socket path").fill(TEST_SOCKET);
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(page.getByRole("heading", { name: "e2e-deploy" })).toBeVisible({ timeout: 30_000 });

  await page.goto("/instances");
  await page.getByRole("link", { name: "Deploy a new instance" }).click();
  await expect(page.getByRole("heading", { name: "Deploy a new instance" })).toBeVisible();

  // A bad answer is caught at the review, before any key touch, with the field named.
  await page.getByLabel("Name in the inventory").fill("Not A Name");
  await page.getByLabel("Unit", { exact: true }).selectOption("new");
  await page.getByLabel("Unit code").fill("UMR7000");
  await page.getByLabel("Unit name").fill("Unité déployée");
  await page.getByLabel("Web host").selectOption({ label: "e2e-deploy" });
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByLabel("eLabFTW version")).toHaveValue("5.6.12"); // newest stable first
  await expect(page.getByLabel("eLabFTW version").locator("option")).toHaveText(["5.6.12", "5.1.0", "5.0.4"]);
  await page.getByLabel("Site URL").fill(`https://${NAME}.unit.example`);
  await page.getByLabel("Published address").fill("127.0.0.1");
  await page.getByLabel("Published port").fill(String(await freePort()));
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Database host").selectOption({ label: "e2e-deploy (same as the web host)" });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Review" }).click();
  // The wizard goes back to the page holding the wrong answer, and says what to fix.
  await expect(page.getByRole("heading", { name: "1. Where" })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Name must be 1 to 50 lower-case letters" })).toBeVisible();
  expect(await sql(`SELECT id FROM "Operation" WHERE kind = 'deploy'`)).toEqual([]);
  expect(await sql(`SELECT id FROM "Unit" WHERE code = 'UMR7000'`)).toEqual([]); // created only once confirmed

  // Corrected, the review lists what will be created.
  await page.getByLabel("Name in the inventory").fill(NAME);
  for (let i = 0; i < 3; i++) await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Review" }).click();
  await expect(page.getByRole("heading", { name: "5. Review" })).toBeVisible();
  await expect(page.getByText(`${NAME}-web on e2e-deploy`)).toBeVisible();
  await expect(
    page.getByText(`${NAME}-mysql (mysql:8.0) on e2e-deploy, data in volume ${NAME}-mysql-data`),
  ).toBeVisible();
  await expect(page.getByText(`new volume ${NAME}-uploads`)).toBeVisible();
  await page.screenshot({ path: "test-results/screens/deploy-review.png", fullPage: true });

  await page.getByRole("button", { name: "Deploy with my security key" }).click();
  await expect(page).toHaveURL(/\/operations\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect(page.getByRole("heading", { name: `Deploy of ${NAME}` })).toBeVisible();
  // Live: the page follows the steps without a reload.
  await expect(page.getByRole("progressbar", { name: "Progress" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/deploy-running.png", fullPage: true });
  const done = page.getByRole("status").filter({ hasText: "The instance is running" });
  await expect(done).toBeVisible({ timeout: 240_000 });
  await expect(done).toContainText(`https://${NAME}.unit.example/register.php`);
  const steps = page.getByRole("table", { name: "Steps" });
  await expect(steps.getByRole("row", { name: /Create the database schema/ })).toContainText("Done");
  await expect(steps.getByRole("row", { name: /Check that eLabFTW answers/ })).toContainText("Done");
  await page.screenshot({ path: "test-results/screens/deploy-done.png", fullPage: true });

  expect(
    (await auditRows(`"actorLabel" = 'deployer@unit.example' AND action LIKE 'instance.deploy%'`)).map(
      (r) => `${r.action}:${r.outcome}`,
    ),
  ).toEqual(["instance.deploy:success", "instance.deployed:success"]);

  await done.getByRole("link", { name: NAME, exact: true }).click();
  await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
  await expect(page.getByText("Healthy", { exact: true })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("schema 217, as the image requires")).toBeVisible();
  const compliance = page.getByRole("table", { name: "CNRS compliance checks" });
  await expect(compliance.getByRole("row", { name: /Web container hardened/ })).toContainText("Pass");
});
