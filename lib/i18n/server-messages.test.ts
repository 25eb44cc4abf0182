import path from "node:path";
import { describe, expect, it } from "vitest";
import fr from "./messages/server.fr.json";
import { localizeServerText } from "./server-messages";
import { serverStrings } from "./server-strings";

const ROOT = path.resolve(import.meta.dirname, "../..");
const placeholders = (text: string) => [...text.matchAll(/\{(\d+)\}/g)].map((m) => m[1]).sort();

describe("the server's words in French", () => {
  it("every message, hint, validation text and field label the server can send has its French", () => {
    const found = serverStrings(ROOT);
    expect(found.length).toBeGreaterThan(300);
    const catalog = fr as Record<string, string>;
    const missing = found.filter((s) => !(s.text in catalog)).map((s) => `${s.where}: ${s.text}`);
    expect(missing).toEqual([]);
    for (const [en, french] of Object.entries(catalog)) {
      expect(placeholders(french), en).toEqual(placeholders(en));
      expect(french.trim(), en).not.toBe("");
    }
  });

  it("translates whole texts, templates with their values, validation messages and journal lines", () => {
    expect(localizeServerText("Your session has ended.", "fr")).toBe("Votre session est terminée.");
    expect(localizeServerText("Your session has ended.", "en")).toBe("Your session has ended.");
    expect(localizeServerText("A host named “labhost-web” already exists.", "fr")).toBe(
      "Un hôte nommé « labhost-web » existe déjà.",
    );
    expect(localizeServerText("Only 2.5 GiB free in /var/lib/docker on the web host; 8.1 GiB are needed.", "fr")).toBe(
      "Seulement 2.5 Gio libres dans /var/lib/docker sur l'hôte web ; 8.1 Gio sont nécessaires.",
    );
    expect(
      localizeServerText(
        "Schedule must be a five-field cron expression, e.g. 30 2 * * * for every night at 02:30.",
        "fr",
      ),
    ).toBe("Planification doit être une expression cron à cinq champs, par ex. 30 2 * * * pour chaque nuit à 02:30.");
    expect(localizeServerText("Unit code must not be empty.", "fr")).toBe("Code de l'unité ne doit pas être vide.");
    // A value that is itself a catalog text is translated too.
    expect(localizeServerText("The safety backup failed, so nothing was restored: Nothing was saved.", "fr")).toBe(
      "La sauvegarde de sécurité a échoué, donc rien n'a été restauré : Rien n'a été enregistré.",
    );
    // Unknown words stay as they are, never half-guessed.
    expect(localizeServerText("mysqldump: Got error 2013", "fr")).toBe("mysqldump: Got error 2013");
    expect(localizeServerText("Something the catalog has never seen.", "fr")).toBe(
      "Something the catalog has never seen.",
    );
  });
});
