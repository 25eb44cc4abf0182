import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { recordAuditEvent } from "../lib/server/audit/record-audit-event";
import { createPrismaClient } from "../lib/server/db/client";

/** The audit log as an operator reads it: filters in the URL, pages, and the filtered view exported. */
test("the audit log filters, pages and exports what it shows", async ({ page }) => {
  const db = createPrismaClient(process.env.E2E_DATABASE_URL!);
  try {
    for (let i = 0; i < 55; i++) {
      await recordAuditEvent(db, {
        actor: { type: "system" },
        action: "e2e.paging",
        target: { type: "probe", id: `p${String(i).padStart(2, "0")}` },
        params: { i, apiToken: "tok-should-not-show" },
        outcome: i === 7 ? "failure" : "success",
        reason: i === 7 ? "probe_failed" : null,
      });
    }
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    await page.getByLabel("Action").fill("e2e.paging");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/action=e2e\.paging/);
    const rows = page.getByRole("table", { name: "Audit events, newest first" }).getByRole("row");
    await expect(rows).toHaveCount(51); // header + one page of 50
    await expect(rows.nth(1)).toContainText("probe p54");
    await page.getByRole("link", { name: "Older events →" }).click();
    await expect(rows).toHaveCount(6);
    await expect(rows.last()).toContainText("probe p00");
    await expect(page.getByRole("link", { name: "Older events →" })).toHaveCount(0);
    await page.getByRole("link", { name: "← Newest events" }).click();
    await expect(rows.nth(1)).toContainText("probe p54");

    await page.getByLabel("Outcome").selectOption("failure");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1)).toContainText("Failure");
    await rows.nth(1).getByText("Show").click();
    await expect(rows.nth(1)).toContainText("probe_failed");
    await expect(rows.nth(1)).toContainText("[redacted]");
    await expect(page.getByText("tok-should-not-show")).toHaveCount(0);
    await page.screenshot({ path: "test-results/screens/audit.png", fullPage: true });

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, "utf8").trim().split("\n");
    expect(csv[0]).toBe(
      "id,at,actor_type,actor,security_key_id,ip,user_agent,action,target_type,target_id,unit_id,instance_id,outcome,reason,params",
    );
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(",e2e.paging,probe,p07,,,failure,probe_failed,");

    const json = await page.request.get("/api/audit/export?format=json&action=e2e.paging");
    expect(json.headers()["content-disposition"]).toMatch(/attachment; filename="paillasse-audit-.*\.json"/);
    const events = (await json.json()) as { target_id: string; params: Record<string, unknown> }[];
    expect(events).toHaveLength(55);
    expect(events[0]!.params).toEqual({ i: 54, apiToken: "[redacted]" });
    const bad = await page.request.get("/api/audit/export?format=xlsx");
    expect(bad.status()).toBe(400);
    expect((await bad.json()).message).toBe('"xlsx" is not an export format. Use format=csv or format=json.');
    // The exports themselves are in the log.
    await page.goto("/audit?action=audit.exported");
    await expect(rows).toHaveCount(3);
  } finally {
    await db.$disconnect();
  }
});
