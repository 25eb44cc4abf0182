import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./support/auth";
import { e2eEnv } from "./support/db";

/**
 * Every main page passes axe (WCAG 2.1 A and AA rules) with no serious or
 * critical violation, and the main flows work from the keyboard alone.
 */
const PAGES = [
  "/",
  "/hosts",
  "/hosts/new",
  "/instances",
  "/instances/new",
  "/instances/deploy",
  "/backups",
  "/backups/policies",
  "/upgrades",
  "/operations",
  "/audit",
  "/operators",
  "/keys",
  "/settings",
];

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * One walk, in French (the users' language; the pages' structure is the same in English, and the English pages are
 * what every other browser test reads), with a screenshot of each page to look at.
 */
test.describe("in French", () => {
  test.use({ locale: "fr-FR" });
  test("the panel's pages have no serious accessibility violation", async ({ page }) => {
    test.setTimeout(120_000);
    const found: Record<string, string[]> = {};
    for (const path of PAGES) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      await expect(page.locator("html")).toHaveAttribute("lang", "fr");
      await expect(page.getByRole("main")).toBeVisible();
      const violations = await seriousViolations(page);
      if (violations.length) found[path] = violations;
      await page.screenshot({
        path: `test-results/screens/fr${path === "/" ? "/dashboard" : path}.png`,
        fullPage: true,
      });
    }
    expect(found).toEqual({});
  });
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  test("the sign-in page has no serious accessibility violation", async ({ page }) => {
    await page.goto("/login");
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test("the keyboard alone reaches the content, the menu and the filters", async ({ page }) => {
  await page.goto("/");
  // The first Tab lands on the skip link, which moves focus past the menu.
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
  // Tab through the menu to the audit log and open it with Enter.
  await page.goto("/");
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement?.textContent?.trim() === "Audit");
  }
  expect(reached).toBe(true);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/audit$/);
  // Filters: type in a field and submit with Enter.
  await page.getByLabel("Action").focus();
  await page.keyboard.type("auth.");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/action=auth\./);
  // Focus is visible where it is.
  await page.getByLabel("Action").focus();
  const outline = await page.getByLabel("Action").evaluate((el) => {
    const s = getComputedStyle(el);
    return `${s.outlineStyle} ${s.outlineWidth} ${s.boxShadow}`;
  });
  expect(outline).not.toBe("none 0px none");
});

test.describe("keyboard only", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("invite someone, then open a confirmation dialog and leave it with Escape", async ({ page }) => {
    await addVirtualKey(page);
    await enrol(page, inviteFromCommandLine(e2eEnv(), "keyboard-user@unit.example", "admin", "Kay Board"));
    await page.goto("/operators");
    // From the first field on, only keys: type, Tab, Enter (the form submits itself on Enter).
    await page.getByLabel("E-mail").focus();
    await page.keyboard.type("kbd.colleague@unit.example");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Kbd Colleague");
    await page.keyboard.press("Enter");
    // The link, shown once, takes the focus: the next Tab reaches its Copy button.
    await expect(page.getByRole("textbox", { name: "Enrolment link" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("button", { name: /Copy/ })).toBeFocused();

    await page.goto("/operators");
    await page.getByRole("link", { name: "Kbd Colleague" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "Kbd Colleague" })).toBeVisible();
    await page.getByRole("button", { name: "Disable account" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Disable kbd.colleague@unit.example?" });
    await expect(dialog).toBeVisible();
    // Focus moved into the dialog, and Escape closes it without doing anything.
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(page.getByText(/Active until/)).toBeVisible();
  });
});
