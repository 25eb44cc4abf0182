import { expect, test } from "@playwright/test";
import { TEST_SOCKET } from "../test/support/docker";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { auditRows, e2eEnv, sql } from "./support/db";
import { generateSshKeyPair, keyFingerprint } from "../lib/server/repositories/ssh-keys";

/**
 * An admin adds a restic repository on the Backup policies page (a wrong address first: a
 * sentence that says what to write, nothing saved), sees it listed, and gets its recovery kit
 * after a key touch: shown once, downloadable, audited without the password.
 */
test.use({ storageState: { cookies: [], origins: [] } });

test.afterAll(async () => {
  await sql(`DELETE FROM "BackupRepository" WHERE name IN ('UMR7000 filer', 'UMR7000 from the kit', 'UMR7000 sftp')`);
  await sql(`DELETE FROM "DockerHost" WHERE name = 'e2e-repositories'`);
});

test("an admin adds a repository and takes its recovery kit with a key touch", async ({ page }) => {
  test.setTimeout(120_000);
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), "repositories@unit.example", "admin", "Rémi Dépôt"));
  await page.goto("/hosts/new");
  await page.getByLabel("Name").fill("e2e-repositories");
  await page.getByLabel("Socket path").fill(TEST_SOCKET);
  await page.getByRole("button", { name: "Add and test the connection" }).click();
  await expect(page.getByRole("heading", { name: "e2e-repositories" })).toBeVisible({ timeout: 30_000 });

  await page.goto("/backups/policies");
  const repositories = page.getByRole("region", { name: "Repositories" });
  await expect(repositories).toContainText("No repository yet");
  const form = page.getByRole("region", { name: "Add a repository" });
  await form.getByLabel("Name").fill("UMR7000 filer");
  await form.getByLabel("Docker host").selectOption({ label: "e2e-repositories" });
  await form.getByLabel("Directory on the host").fill("/etc/backups");
  await form.getByRole("button", { name: "Add repository" }).click();
  await expect(form.getByRole("alert")).toContainText("system directory");
  expect(Number((await sql(`SELECT count(*) AS n FROM "BackupRepository"`))[0]!.n)).toBe(0);

  await form.getByLabel("Directory on the host").fill("/srv/backups/umr7000");
  await form.getByRole("button", { name: "Add repository" }).click();
  await expect(form.getByRole("status")).toContainText("Repository UMR7000 filer added");
  const table = page.getByRole("table", { name: "Repositories" });
  await expect(table).toContainText("/srv/backups/umr7000 on e2e-repositories");
  await expect(table).toContainText("initialized by the first backup");
  await page.screenshot({ path: "test-results/screens/repositories.png", fullPage: true });

  await table.getByRole("button", { name: "Recovery kit…" }).click();
  const dialog = page.getByRole("dialog", { name: "Recovery kit of UMR7000 filer", exact: true });
  await expect(dialog).toContainText("Keep it offline");
  await dialog.getByRole("button", { name: "Show the kit, confirm with my key" }).click();
  const kit = page.locator("pre").filter({ hasText: "RESTIC_PASSWORD" });
  await expect(kit).toContainText("export RESTIC_REPOSITORY='/srv/backups/umr7000'");
  await expect(kit).toContainText("restic snapshots --tag instance=NAME");
  const password = /RESTIC_PASSWORD='([^']+)'/.exec((await kit.textContent()) ?? "")![1]!;
  expect(password.length).toBeGreaterThanOrEqual(40);
  await expect(page.getByRole("link", { name: "Download the kit" })).toHaveAttribute(
    "download",
    "paillasse-recovery-kit-UMR7000-filer.txt",
  );
  await page.screenshot({ path: "test-results/screens/recovery-kit.png", fullPage: true });
  const events = await auditRows(`action IN ('repository.create', 'repository.recovery_kit')`);
  expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual([
    "repository.create:success",
    "repository.recovery_kit:success",
  ]);
  expect(JSON.stringify(events)).not.toContain(password);
  await page.getByRole("button", { name: "Hide" }).click();
  await expect(page.locator("pre").filter({ hasText: "RESTIC_PASSWORD" })).toHaveCount(0);

  // On the recovery page, the kit adds the repository back (as on a freshly installed panel); the panel
  // lists its restore points on the chosen host, and says why it cannot when the directory is not there.
  await page.goto("/instances");
  await page.getByRole("link", { name: "Recover an instance" }).click();
  await expect(page.getByRole("heading", { name: "Recover an instance" })).toBeVisible();
  const importForm = page.getByRole("region", { name: "Add a repository from a recovery kit" });
  await importForm.getByLabel("Recovery kit").fill("Dear admin, here is the password: hunter2");
  await importForm.getByRole("button", { name: "Add the repository" }).click();
  await expect(importForm.getByRole("alert")).toContainText(
    "This text holds no RESTIC_REPOSITORY and RESTIC_PASSWORD lines.",
  );
  await importForm
    .getByLabel("Recovery kit")
    .fill(
      [
        'Paillasse recovery kit: repository "UMR7000 from the kit"',
        "  export RESTIC_REPOSITORY='/srv/backups/umr7000'",
        `  export RESTIC_PASSWORD='${password}'`,
      ].join("\n"),
    );
  await importForm.getByLabel("Docker host of the directory").selectOption({ label: "e2e-repositories" });
  await importForm.getByRole("button", { name: "Add the repository" }).click();
  await expect(importForm.getByRole("status")).toContainText("Repository added");
  const source = page.getByRole("region", { name: "1. Where the restore points are" });
  await source.getByLabel("Repository").selectOption({ label: "UMR7000 from the kit" });
  await source.getByLabel("Target host").selectOption({ label: "e2e-repositories" });
  await source.getByRole("button", { name: "List its restore points" }).click();
  await expect(source.getByRole("alert")).toContainText(
    "The directory /srv/backups/umr7000 of repository UMR7000 from the kit does not exist on e2e-repositories",
  );
  await page.screenshot({ path: "test-results/screens/recover.png", fullPage: true });
  const added = await sql<{ name: string; params: unknown }>(
    `SELECT params->>'name' AS name, params FROM "AuditEvent" WHERE action = 'repository.create' ORDER BY id`,
  );
  expect(added.map((e) => e.name)).toEqual(["UMR7000 filer", "UMR7000 from the kit"]);
  expect(JSON.stringify(added)).not.toContain(password);

  // An SFTP repository: a host key that is none is refused; then the panel gives its own public key to authorize.
  await page.goto("/backups/policies");
  await form.getByLabel("Kind").selectOption({ label: "SFTP" });
  await form.getByLabel("Name").fill("UMR7000 sftp");
  await form.getByLabel("SFTP address").fill("sftp:restic@filer.unit.example:/srv/restic/umr7000");
  await form.getByLabel("Server host key").fill("ssh-ed25519 not-a-key");
  await form.getByRole("button", { name: "Add repository" }).click();
  await expect(form.getByRole("alert")).toContainText("This is not an SSH host key");
  const hostKey = generateSshKeyPair("root@filer").publicKey;
  await form.getByLabel("Server host key").fill(hostKey);
  await form.getByRole("button", { name: "Add repository" }).click();
  await expect(form.getByRole("status")).toContainText("Add this line to the authorized_keys");
  await expect(form.getByLabel("Key to authorize on the server")).toContainText(
    /^ssh-ed25519 \S+ paillasse-UMR7000-sftp$/,
  );
  await expect(table).toContainText(`server key ${keyFingerprint(hostKey)}`);
  await page.screenshot({ path: "test-results/screens/repository-sftp.png", fullPage: true });
});
