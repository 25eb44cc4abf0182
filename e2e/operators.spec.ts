import { expect, test, type Page } from "@playwright/test";
import { addVirtualKey, credentialsOf, enrol, inviteFromCommandLine, virtualKeyWith } from "./support/auth";
import { auditRows, e2eEnv, sql } from "./support/db";

/**
 * Operators and keys through the UI, with real ceremonies on virtual keys:
 * every change asks for a fresh touch bound to that very change.
 */
test.use({ storageState: { cookies: [], origins: [] } });

async function freshAdmin(page: Page, email: string) {
  const key = await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), email, "admin", "Ada Admin"));
  return key;
}

test("an admin invites from the UI with a key touch; the link enrols the new operator once", async ({
  page,
  browser,
}) => {
  await freshAdmin(page, "inviter@unit.example");
  await page.getByRole("link", { name: "Operators" }).click();
  await page.getByLabel("E-mail").fill("new.colleague@unit.example");
  await page.getByLabel("Name", { exact: true }).fill("New Colleague");
  await page.getByLabel("Role").selectOption("operator");
  await page.getByRole("button", { name: "Invite (confirm with my key)" }).click();
  const linkField = page.getByRole("textbox", { name: "Enrolment link" });
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toMatch(/\/enrol#[A-Za-z0-9_-]{43}$/);
  await page.screenshot({ path: "test-results/screens/operators-invite.png", fullPage: true });

  const invited = await (await browser.newContext()).newPage();
  await addVirtualKey(invited);
  await enrol(invited, link, "Blue key");
  await expect(invited.getByRole("status").filter({ hasText: "You have only one security key" })).toBeVisible();

  expect(
    (await auditRows(`"actorLabel" = 'inviter@unit.example' AND action IN ('auth.step_up', 'operator.invite')`)).map(
      (r) => `${r.action}:${r.outcome}`,
    ),
  ).toEqual(["auth.step_up:success", "operator.invite:success"]);
  const [row] = await sql<{ issuedVia: string }>(
    `SELECT i."issuedVia" FROM "EnrolmentInvite" i JOIN "Operator" o ON o.id = i."operatorId" WHERE o.email = 'new.colleague@unit.example'`,
  );
  expect(row?.issuedVia).toBe("ui");
});

test("add a spare key, revoke the first: the revoked key no longer signs in, the spare one does", async ({
  page,
  browser,
}) => {
  const first = await freshAdmin(page, "two.keys@unit.example");
  await page.getByRole("link", { name: "My keys" }).click();
  await expect(page.getByRole("status").filter({ hasText: "You have only one security key" })).toBeVisible();

  // The touch of the current key happens on the first virtual key; the new key is another device: swap them
  // once the touch has reached the panel, as a person would plug in their spare key.
  const firstCredentials = await credentialsOf(first.cdp, first.authenticatorId);
  let spare: Awaited<ReturnType<typeof addVirtualKey>> | undefined;
  await page.route("**/api/webauthn/keys", async (route) => {
    const response = await route.fetch();
    await first.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: first.authenticatorId });
    spare = await addVirtualKey(page);
    await route.fulfill({ response });
  });
  await page.getByLabel("Name of the new key").fill("Spare key in the safe");
  await page.getByRole("button", { name: "Add a key" }).click();
  await expect(page.getByText("The key “Spare key in the safe” is registered.")).toBeVisible();
  await page.unroute("**/api/webauthn/keys");
  await expect(page.getByRole("heading", { name: "Security keys (2 active)" })).toBeVisible();
  await expect(page.getByText("You have only one security key")).toHaveCount(0);

  // Revoke the first key, confirming with the spare one. This session was opened with the first key: it ends.
  const firstRow = page.getByRole("row").filter({ hasText: "Virtual key" });
  await firstRow.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("dialog")).toContainText("You signed in with this key");
  await page.getByRole("dialog").getByRole("button", { name: "Confirm with my security key" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible({ timeout: 15_000 });
  await page.goto("/keys");
  await expect(firstRow.getByText(/^Revoked/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Security keys (1 active)" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/my-keys.png", fullPage: true });

  // The spare key is now the last one: the panel refuses to revoke it.
  const spareRow = page.getByRole("row").filter({ hasText: "Spare key in the safe" });
  await spareRow.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Confirm with my security key" }).click();
  await expect(page.getByRole("dialog").getByRole("alert")).toContainText("This is the last active key");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  expect(spare).toBeDefined();

  // A browser holding only the revoked key cannot sign in.
  const lost = await (await browser.newContext()).newPage();
  await virtualKeyWith(lost, firstCredentials);
  await lost.goto("/login");
  await lost.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(lost.getByRole("alert").filter({ hasText: "Sign-in failed" })).toBeVisible();

  // One holding the spare key can.
  const found = await (await browser.newContext()).newPage();
  await virtualKeyWith(found, await credentialsOf(spare!.cdp, spare!.authenticatorId));
  await found.goto("/login");
  await found.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(found.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible({ timeout: 15_000 });

  const reasons = await auditRows(`"actorLabel" = 'two.keys@unit.example' AND outcome = 'denied'`);
  expect(reasons.map((r) => r.reason)).toContain("key_revoked");
});

test("a touch made for one action cannot authorise another", async ({ page }) => {
  await freshAdmin(page, "step.up@unit.example");
  inviteFromCommandLine(e2eEnv(), "target@unit.example", "operator", "Tess Target");
  const [target] = await sql<{ id: string }>(`SELECT id FROM "Operator" WHERE email = 'target@unit.example'`);
  await page.goto(`/operators/${target!.id}`);

  // Ask for a touch for "disable target@", but have the touch issued for another operator's id: what the
  // key signs is then bound to other parameters than the action that runs.
  await page.route("**/api/webauthn/step-up", async (route) => {
    const body = route.request().postDataJSON() as { action: string; params: Record<string, unknown> };
    await route.continue({
      postData: JSON.stringify({
        ...body,
        params: { ...body.params, operatorId: "00000000-0000-4000-8000-000000000000" },
      }),
    });
  });
  await page.getByRole("button", { name: "Disable account" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Confirm with my security key" }).click();
  await expect(dialog.getByRole("alert")).toContainText(
    "needs a fresh touch of your security key, made for this very action",
  );
  const denied = await auditRows(`"actorLabel" = 'step.up@unit.example' AND action = 'auth.step_up'`);
  expect(denied.map((r) => `${r.outcome}:${r.reason}`)).toEqual(["denied:step_up_other_action"]);
  expect(
    (await sql(`SELECT 1 FROM "Operator" WHERE email = 'target@unit.example' AND "disabledAt" IS NOT NULL`)).length,
  ).toBe(0);

  // A touch for another action altogether (inviting someone) does not disable anyone either.
  await page.route("**/api/webauthn/step-up", async (route) => {
    await route.continue({
      postData: JSON.stringify({ action: "operator.invite", params: { email: "x@unit.example" } }),
    });
  });
  await dialog.getByRole("button", { name: "Confirm with my security key" }).click();
  await expect(dialog.getByRole("alert")).toContainText("made for this very action");
  expect(
    (await sql(`SELECT 1 FROM "Operator" WHERE email = 'target@unit.example' AND "disabledAt" IS NOT NULL`)).length,
  ).toBe(0);

  // Without the tampering, the same button works.
  await page.unroute("**/api/webauthn/step-up");
  await dialog.getByRole("button", { name: "Confirm with my security key" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Disabled", { exact: true })).toBeVisible();
  expect(await auditRows(`action = 'operator.disable' AND "actorLabel" = 'step.up@unit.example'`)).toHaveLength(1);
  await page.screenshot({ path: "test-results/screens/operator.png", fullPage: true });
});
