import path from "node:path";
import { describe, expect, it } from "vitest";
import fr from "./messages/server.fr.json";
import { z } from "zod";
import { AppError } from "../errors";
import { parseInput } from "../server/validation";
import { asMessage, englishText, msg, textSchema } from "./message";
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
    const untagged = found.filter((s) => s.untagged).map((s) => `${s.where}: ${s.text}`);
    expect(untagged, "template literals where a message goes need the msg tag").toEqual([]);
    for (const [en, french] of Object.entries(catalog)) {
      expect(placeholders(french), en).toEqual(placeholders(en));
      expect(french.trim(), en).not.toBe("");
    }
  });

  it("renders a message by its id, its values as they are or in turn by their own id", () => {
    expect(localizeServerText("Your session has ended.", "fr")).toBe("Votre session est terminée.");
    expect(localizeServerText("Your session has ended.", "en")).toBe("Your session has ended.");
    const name = "labhost-web";
    const taken = msg`A host named “${name}” already exists.`;
    expect(taken).toEqual({ id: "A host named “{0}” already exists.", values: ["labhost-web"] });
    expect(localizeServerText(taken, "fr")).toBe("Un hôte nommé « labhost-web » existe déjà.");
    expect(localizeServerText(taken, "en")).toBe("A host named “labhost-web” already exists.");
    // A value that is a message is rendered by its own id; a plain value never is.
    const nested = msg`The safety backup failed, so nothing was restored: ${asMessage("Nothing was saved.")}`;
    expect(localizeServerText(nested, "fr")).toBe(
      "La sauvegarde de sécurité a échoué, donc rien n'a été restauré : Rien n'a été enregistré.",
    );
    const plain = msg`The safety backup failed, so nothing was restored: ${"Nothing was saved."}`;
    expect(localizeServerText(plain, "fr")).toBe(
      "La sauvegarde de sécurité a échoué, donc rien n'a été restauré : Nothing was saved.",
    );
    // Rendered English is never matched back against the catalog: only ids are looked up.
    expect(localizeServerText("A host named “labhost-web” already exists.", "fr")).toBe(
      "A host named “labhost-web” already exists.",
    );
    expect(localizeServerText(msg`Something the catalog has never seen: ${3}.`, "fr")).toBe(
      "Something the catalog has never seen: 3.",
    );
  });

  it("an AppError carries its message and hint as ids; the edge renders them, logs keep the English", () => {
    const schema = z.object({ code: z.string().min(1, "must not be empty") });
    let error: unknown;
    try {
      parseInput(schema, { code: "" }, { code: "Unit code" }, "Nothing was saved.");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.message).toBe("Unit code must not be empty.");
    expect(appError.hint).toBe("Nothing was saved.");
    expect(localizeServerText(appError.fullText, "fr")).toBe(
      "Code de l'unité ne doit pas être vide. Rien n'a été enregistré.",
    );
    // Stored in a JSON column and read back, it renders the same.
    const stored = textSchema.parse(JSON.parse(JSON.stringify(appError.fullText)));
    expect(localizeServerText(stored, "fr")).toBe("Code de l'unité ne doit pas être vide. Rien n'a été enregistré.");
    expect(englishText(stored)).toBe("Unit code must not be empty. Nothing was saved.");
  });
});
