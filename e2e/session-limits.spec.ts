import { expect, test } from "@playwright/test";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { auditRows, e2eEnv, setPanelClockOffset } from "./support/db";

/**
 * Idle (15 min) and absolute (12 h) session limits, with the panel's clock
 * moved forward through PANEL_TEST_CLOCK_FILE (lib/clock.ts).
 */
test.use({ storageState: { cookies: [], origins: [] } });
test.afterEach(() => setPanelClockOffset(0));

const MINUTE = 60_000;

test("15 minutes without a request end the session; 12 hours end it whatever the activity", async ({ page }) => {
  const email = "clock@unit.example";
  await addVirtualKey(page);
  await enrol(page, inviteFromCommandLine(e2eEnv(), email, "operator"));

  // 14 minutes idle: still in. 14 more (28 since sign-in, 14 since the last request): still in.
  setPanelClockOffset(14 * MINUTE);
  expect((await page.request.get("/", { maxRedirects: 0 })).status()).toBe(200);
  setPanelClockOffset(28 * MINUTE);
  expect((await page.request.get("/", { maxRedirects: 0 })).status()).toBe(200);
  // Then 16 minutes without a request: out.
  setPanelClockOffset(44 * MINUTE);
  await page.goto("/hosts");
  await expect(page).toHaveURL(/\/login$/);
  expect((await auditRows(`"actorLabel" = $1 AND action = 'auth.session_end'`, [email])).map((r) => r.reason)).toEqual([
    "session_idle",
  ]);

  // Sign in again, and stay active (a request every 14 minutes): the session still ends 12 hours after sign-in.
  await page.getByRole("button", { name: "Sign in with your security key" }).click();
  await expect(page.getByRole("heading", { name: "Fleet dashboard" })).toBeVisible({ timeout: 15_000 });
  const signedInAt = 44 * MINUTE;
  let offset = signedInAt;
  while (offset + 14 * MINUTE < signedInAt + 12 * 60 * MINUTE) {
    offset += 14 * MINUTE;
    setPanelClockOffset(offset);
    expect((await page.request.get("/", { maxRedirects: 0 })).status()).toBe(200);
  }
  setPanelClockOffset(signedInAt + 12 * 60 * MINUTE + MINUTE);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  expect((await auditRows(`"actorLabel" = $1 AND action = 'auth.session_end'`, [email])).map((r) => r.reason)).toEqual([
    "session_idle",
    "session_expired",
  ]);
});
