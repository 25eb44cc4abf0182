import { expect, test } from "@playwright/test";
import { sql } from "./support/db";

/** Hosts through the UI, against the real test engine (its socket, as a host of the panel). */
const TEST_SOCKET = process.env.PL_TEST_DOCKER_SOCKET ?? "/tmp/pl-test/docker.sock";

test.afterEach(async () => {
  await sql(`DELETE FROM "DockerHost" WHERE name LIKE 'e2e-%'`);
});

test("add a socket host: the connection is tested at once and the engine described", async ({ page }) => {
  await page.goto("/hosts");
  await page.getByRole("link", { name: "Add a host" }).click();
  await page.getByLabel("Name").fill("e2e-engine");
  await page.getByLabel("Connection").selectOption("socket");
  await page.getByLabel("Socket path").fill(TEST_SOCKET);
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(page.getByRole("heading", { name: "e2e-engine" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Reachable", { exact: true })).toBeVisible();
  await expect(page.getByText(/^\d+\.\d+.* \(API 1\.\d+\)$/)).toBeVisible();
  await expect(page.getByText(/^\d+(\.\d)? (KiB|MiB|GiB|TiB)$/).first()).toBeVisible(); // free space measured
  await page.screenshot({ path: "test-results/screens/host.png", fullPage: true });

  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connected: Docker" })).toBeVisible({ timeout: 30_000 });

  await page.goto("/hosts");
  const row = page.getByRole("row", { name: /e2e-engine/ });
  await expect(row).toContainText("Reachable");
  await page.screenshot({ path: "test-results/screens/hosts.png", fullPage: true });
});

test("bad host input is refused with what to fix, and nothing is added", async ({ page }) => {
  await page.goto("/hosts/new");
  await page.getByLabel("Name").fill("e2e-bad");
  await page.getByLabel("Connection").selectOption("tcp_tls");
  await page.getByLabel("Address").fill("docker.unit.example");
  await page.getByLabel("CA certificate", { exact: true }).fill("not a certificate");
  await page.getByLabel("Client certificate", { exact: true }).fill("not a certificate");
  await page.getByLabel("Client key", { exact: true }).fill("not a key");
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "The CA certificate is not a PEM certificate" }),
  ).toBeVisible();
  await page.getByLabel("CA certificate: load from a file").setInputFiles({
    name: "photo.jpg",
    mimeType: "image/jpeg",
    buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00]),
  });
  await expect(page.getByRole("alert").filter({ hasText: "photo.jpg is not a PEM or OpenSSH file" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/host-new-error.png", fullPage: true });
  expect(await sql(`SELECT 1 FROM "DockerHost" WHERE name = 'e2e-bad'`)).toEqual([]);
});
