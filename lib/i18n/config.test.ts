import { describe, expect, it } from "vitest";
import { negotiateLocale, resolveLocale } from "./config";

describe("interface language", () => {
  it("is French for a French browser, English otherwise", () => {
    expect(negotiateLocale("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7")).toBe("fr");
    expect(negotiateLocale("fr-CA")).toBe("fr");
    expect(negotiateLocale("en-GB,en;q=0.9,fr;q=0.8")).toBe("en");
    expect(negotiateLocale("de-DE,de;q=0.9,fr;q=0.5,en;q=0.4")).toBe("fr");
    expect(negotiateLocale("en;q=0.5,fr;q=0.6")).toBe("fr");
    expect(negotiateLocale("de,es")).toBe("en");
    expect(negotiateLocale("fr;q=0,en")).toBe("en");
    expect(negotiateLocale("")).toBe("en");
    expect(negotiateLocale(null)).toBe("en");
  });

  it("follows the switch's cookie over the browser, and ignores a bad cookie", () => {
    expect(resolveLocale("en", "fr-FR")).toBe("en");
    expect(resolveLocale("fr", "en-US")).toBe("fr");
    expect(resolveLocale("de", "fr-FR")).toBe("fr");
    expect(resolveLocale(undefined, "en-US")).toBe("en");
  });
});
