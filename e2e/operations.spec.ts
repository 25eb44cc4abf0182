import { expect, test } from "@playwright/test";
import { createPrismaClient } from "../lib/server/db/client";
import { createOperation, runOperation, type StepDefinition } from "../lib/server/operations/journal";
import { journalOnly } from "../test/support/journal-only";

/** The operation journal as people read it: steps with their state, the error, the log. */
test("an operation that failed and was undone shows each step, the reason and its log", async ({ page }) => {
  const db = createPrismaClient(process.env.E2E_DATABASE_URL!);
  try {
    const steps: StepDefinition[] = [
      {
        key: "pull",
        title: "Pull elabftw/elabimg:5.1.0",
        run: async (ctx) => void (await ctx.log("pulled")),
        compensate: async () => {},
      },
      {
        key: "recreate",
        title: "Recreate the web container",
        run: async (ctx) => {
          await ctx.progress(60, "Recreating");
          throw new Error("the engine refused: port 443 is already allocated");
        },
      },
      { key: "migrate", title: "Run the migrations", run: async () => undefined },
    ];
    const id = await createOperation(db, {
      operation: journalOnly("upgrade"),
      params: { to: "5.1.0" },
      steps: steps.map(({ key, title }) => ({ key, title })),
    });
    expect(await runOperation(db, id, steps, { owner: "e2e" })).toBe("rolled_back");

    await page.goto("/operations");
    await page.getByRole("link", { name: /\d{4}/ }).first().click();
    await expect(page.getByRole("heading", { name: "Upgrade" })).toBeVisible();
    await expect(page.getByText("Rolled back", { exact: true })).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: "Failed, and undone" })).toContainText(
      "Recreate the web container: the engine refused: port 443 is already allocated",
    );
    const rows = page.getByRole("table", { name: "Steps" }).getByRole("row");
    await expect(rows.filter({ hasText: "Pull elabftw/elabimg:5.1.0" })).toContainText("Undone");
    await expect(rows.filter({ hasText: "Recreate the web container" })).toContainText("Failed");
    await expect(rows.filter({ hasText: "Run the migrations" })).toContainText("Skipped");
    // Step times to the second, and how long each step took.
    await expect(page.getByRole("columnheader", { name: "Duration" })).toBeVisible();
    await expect(rows.filter({ hasText: "Pull elabftw/elabimg:5.1.0" })).toContainText(/\d\d:\d\d:\d\d/);
    await expect(rows.filter({ hasText: "Pull elabftw/elabimg:5.1.0" })).toContainText(/\d+[.,]\d s|\d+ s/);
    await expect(page.getByText("Undoing: Pull elabftw/elabimg:5.1.0")).toBeVisible();
    await page.screenshot({ path: "test-results/screens/operation.png", fullPage: true });
  } finally {
    await db.$disconnect();
  }
});
