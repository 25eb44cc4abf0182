import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { addVirtualKey, enrol, inviteFromCommandLine, signInWithKey } from "./support/auth";

/** Sign-in with FIDO2 security keys only: a virtual key in Chromium, the real ceremonies, the real panel. */
test.use({ storageState: { cookies: [], origins: [] } });

const env = () => ({
  DATABASE_URL: process.env.E2E_DATABASE_URL!,
  PANEL_URL: `http://localhost:${process.env.E2E_PORT ?? 3210}`,
  PANEL_DATA_DIR: process.env.E2E_PANEL_DATA_DIR!,
});

async function sql(text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function auditActions(email: string): Promise<string[]> {
  const rows = await sql(`SELECT action || ':' || outcome AS a FROM "AuditEvent" WHERE "actorLabel" = $1 ORDER BY id`, [
    email,
  ]);
  return rows.map((r) => r.a as string);
}

async function freshOperator(page: Page, email: string) {
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(env(), email, "operator"));
}

test("no page answers without a session: each one sends to the sign-in page", async ({ page }) => {
  for (const path of ["/", "/hosts", "/instances", "/backups", "/operations", "/audit", "/operators", "/settings"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login$/);
  }
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("There is no password.")).toBeVisible();
});

test("invite from the command line → enrol → dashboard; sign out; sign in again with the key", async ({ page }) => {
  const email = "first.run@unit.example";
  await freshOperator(page, email);
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText("Operator");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/hosts");
  await expect(page).toHaveURL(/\/login$/);

  await signInWithKey(page);
  const keys = await sql(
    `SELECT k.name, k."signCount", k."backupEligible" FROM "SecurityKey" k JOIN "Operator" o ON o.id = k."operatorId" WHERE o.email = $1`,
    [email],
  );
  expect(keys).toEqual([{ name: "Virtual key", signCount: expect.anything(), backupEligible: false }]);
  expect(await auditActions(email)).toEqual(["key.enrol:success", "auth.sign_out:success", "auth.sign_in:success"]);
});

test("an enrolment link serves once, and an expired one not at all", async ({ page }) => {
  await addVirtualKey(page);
  const link = inviteFromCommandLine(env(), "once@unit.example", "operator");
  await enrol(page, link);
  await page.getByRole("button", { name: "Sign out" }).click();
  // Let the sign-out's own navigation finish, or it lands on top of the next one.
  await expect(page).toHaveURL(/\/login$/);

  await page.goto(link);
  await page.getByRole("button", { name: "Register this key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "This enrolment link cannot be used" })).toBeVisible();

  const expired = inviteFromCommandLine(env(), "late@unit.example", "operator");
  await sql(
    `UPDATE "EnrolmentInvite" i SET "expiresAt" = now() - interval '1 minute' FROM "Operator" o WHERE o.id = i."operatorId" AND o.email = 'late@unit.example'`,
  );
  await page.goto(expired);
  await page.getByRole("button", { name: "Register this key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "has expired (links last 30 minutes)" })).toBeVisible();
});

test("a disabled operator is refused at the next request, even with a live session", async ({ page }) => {
  await freshOperator(page, "leaver@unit.example");
  await sql(`UPDATE "Operator" SET "disabledAt" = now() WHERE email = 'leaver@unit.example'`);
  await page.goto("/hosts");
  await expect(page).toHaveURL(/\/login$/);
  // And the key no longer signs in.
  await page.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();
  const reasons = await sql(
    `SELECT reason FROM "AuditEvent" WHERE "actorLabel" = 'leaver@unit.example' AND outcome = 'denied'`,
  );
  expect(reasons.map((r) => r.reason)).toContain("operator_disabled");
});

test("a revoked key ends its session and no longer signs in", async ({ page }) => {
  await freshOperator(page, "lost.key@unit.example");
  await sql(
    `UPDATE "SecurityKey" k SET "revokedAt" = now() FROM "Operator" o WHERE o.id = k."operatorId" AND o.email = 'lost.key@unit.example'`,
  );
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();
});

test("an operator whose account expired is refused at the next request, even with a live session", async ({ page }) => {
  await freshOperator(page, "fixed.term@unit.example");
  await sql(`UPDATE "Operator" SET "expiresAt" = now() - interval '1 second' WHERE email = 'fixed.term@unit.example'`);
  await page.goto("/instances");
  await expect(page).toHaveURL(/\/login$/);
  await page.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();
  const events = await sql(
    `SELECT action, reason FROM "AuditEvent" WHERE "actorLabel" = 'fixed.term@unit.example' AND reason IS NOT NULL ORDER BY id`,
  );
  expect(events).toEqual([
    { action: "auth.session_end", reason: "operator_expired" },
    { action: "auth.sign_in", reason: "operator_expired" },
  ]);
});
