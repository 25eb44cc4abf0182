import { expect, test } from "@playwright/test";
import { createPrismaClient } from "../lib/server/db/client";

/** French for a French browser, English otherwise, a switch that sticks, and dates written the reader's way. */
test.describe("a French browser", () => {
  test.use({ locale: "fr-FR" });

  test("gets the panel in French, and can switch to English and back", async ({ page }) => {
    await page.goto("/audit");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("heading", { name: "Journal d'audit" })).toBeVisible();
    const menu = page.getByRole("navigation", { name: "Menu principal" });
    await expect(menu.getByRole("link", { name: "Tableau de bord" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Aller au contenu" })).toBeAttached();
    await expect(page.getByRole("button", { name: "Filtrer" })).toBeVisible();
    // Dates in French, in the panel's time zone.
    await expect(page.getByRole("table").getByRole("row").nth(1)).toContainText(
      /\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}/,
    );
    await page.screenshot({ path: "test-results/screens/audit-fr.png", fullPage: true });

    await page.getByRole("navigation", { name: "Langue" }).getByRole("button", { name: "English" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    // The choice is kept on the account too (the alert mails are written in it).
    const db = createPrismaClient(process.env.E2E_DATABASE_URL!);
    try {
      const admin = await db.operator.findUniqueOrThrow({ where: { email: "admin@unit.example" } });
      expect(admin.locale).toBe("en");
      await page.getByRole("navigation", { name: "Language" }).getByRole("button", { name: "Français" }).click();
      await expect(page.getByRole("heading", { name: "Journal d'audit" })).toBeVisible();
      expect((await db.operator.findUniqueOrThrow({ where: { email: "admin@unit.example" } })).locale).toBe("fr");
    } finally {
      await db.$disconnect();
    }
  });
});

test.describe("a French operator", () => {
  test.use({ locale: "fr-FR" });

  test("reads the server's refusals in French, and nothing is saved", async ({ page }) => {
    await page.goto("/settings");
    const card = page.getByRole("region", { name: "Courriels d'alerte" });
    await card.getByLabel("Serveur de courriel").fill("smtp.unit.example");
    await card.getByLabel("Port").fill("70000");
    await card.getByLabel("Expéditeur").fill("Paillasse <paillasse@unit.example>");
    await card.getByRole("button", { name: "Enregistrer" }).click();
    await expect(card.getByRole("alert")).toHaveText(
      "Les ports vont de 1 à 65535. Corrigez-le et enregistrez à nouveau.",
    );
    // The export route's refusal too.
    const bad = await page.request.get("/api/audit/export?format=xlsx", { headers: { "Accept-Language": "fr-FR" } });
    expect((await bad.json()).message).toBe(
      "« xlsx » n'est pas un format d'export. Utilisez format=csv ou format=json.",
    );
  });
});

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] }, locale: "fr-FR" });

  test("the sign-in page is in French too, and the switch refuses other languages or sites", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Se connecter avec sa clé de sécurité" })).toBeVisible();
    const origin = new URL(page.url()).origin;
    const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      page.request.post("/api/locale", { form, maxRedirects: 0, headers: { Origin: origin, ...headers } });
    const bad = await post({ to: "de", back: "/login" });
    expect(bad.status()).toBe(400);
    expect((await bad.json()).message).toBe("This language is not available. Use to=fr or to=en.");
    const elsewhere = await post({ to: "en", back: "//evil.example/x" });
    expect(elsewhere.status()).toBe(303);
    expect(elsewhere.headers().location).toBe("/");
    // Beyond Latin-1: percent-encoded, not a 500.
    const odd = await post({ to: "en", back: "/audit?q=été🧪" });
    expect(odd.status()).toBe(303);
    expect(odd.headers().location).toBe("/audit?q=%C3%A9t%C3%A9%F0%9F%A7%AA");
    // A GET changes nothing (a link or a prefetch must not switch the language).
    const get = await page.request.get("/api/locale?to=en&back=/login", { maxRedirects: 0 });
    expect(get.status()).toBe(405);
    // "https" from a client that is not a trusted proxy is not believed: the cookie is not made Secure for it.
    const claimed = await post({ to: "fr", back: "/login" }, { "X-Forwarded-Proto": "https" });
    expect(claimed.status()).toBe(303);
    expect(claimed.headers()["set-cookie"]).not.toMatch(/;\s*secure/i);
  });
});

test("an English browser gets English", async ({ page }) => {
  await page.goto("/audit");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
});
