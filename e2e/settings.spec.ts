import { expect, test } from "@playwright/test";
import { SMTPServer } from "smtp-server";
import { freePort } from "../test/support/ports";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { auditRows, e2eEnv, sql } from "./support/db";

/**
 * An admin sets the alert mail server on the Settings page: a bad port is
 * refused in words, a good configuration is saved (the password never shown
 * again), and the test mail reaches a real SMTP server started here.
 */
let server: SMTPServer;
let port = 0;
const received: { to: string[]; user: string }[] = [];

// Saving settings asks for a key touch: an admin with a (virtual) key of their own.
test.use({ storageState: { cookies: [], origins: [] } });

test.beforeAll(async () => {
  port = await freePort();
  server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === "alerts" && auth.password === "mail-pass-e2e") callback(null, { user: auth.username });
      else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), user: String(session.user) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await sql(`DELETE FROM "Setting" WHERE key = 'mail.smtp'`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test("an admin sets the alert mail server (with a key touch) and receives the test mail", async ({ page }) => {
  const email = `settings-${Date.now()}@unit.example`;
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), email, "admin", "Sam Settings"));
  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Alert e-mail" });
  await expect(card).toContainText("No mail server yet");
  await card.getByLabel("Mail server").fill("127.0.0.1");
  await card.getByLabel("Port").fill("70000");
  await card.getByLabel("Security").selectOption("none");
  await card.getByLabel("Sender").fill("Paillasse <paillasse@unit.example>");
  await card.getByLabel("User name").fill("alerts");
  await card.getByLabel("Password", { exact: true }).fill("mail-pass-e2e");
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.getByRole("alert")).toContainText("Ports go from 1 to 65535");
  expect(await sql(`SELECT key FROM "Setting" WHERE key = 'mail.smtp'`)).toHaveLength(0);

  await card.getByLabel("Port").fill(String(port));
  await card.getByRole("button", { name: "Save" }).click();
  await expect(card.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await expect(card).not.toContainText("No mail server yet");
  await expect(card.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(card).toContainText("A password is saved; leave empty to keep it.");

  await card.getByRole("button", { name: "Send a test mail to me" }).click();
  await expect(card.getByRole("status").filter({ hasText: "Test mail accepted" })).toBeVisible();
  expect(received.at(-1)).toEqual({ to: [email], user: "alerts" });
  await page.screenshot({ path: "test-results/settings-mail.png", fullPage: true });

  const rows = await auditRows(`action IN ('settings.mail', 'settings.mail_test')`);
  expect(rows.map((r) => r.action).sort()).toEqual(["settings.mail", "settings.mail_test"]);
  // The save was made with the key touched for it.
  const [saved] = await sql<{ securityKeyId: string | null }>(
    `SELECT "securityKeyId" FROM "AuditEvent" WHERE action = 'settings.mail' ORDER BY id DESC LIMIT 1`,
  );
  expect(saved!.securityKeyId).toEqual(expect.any(String));
  expect(JSON.stringify(rows)).not.toContain("mail-pass-e2e");
});
