import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { NAV_ITEMS } from "../auth/navigation";
import en from "./messages/en.json";
import fr from "./messages/fr.json";
import { sourceFiles } from "./server-strings";

/**
 * The two catalogs hold the same keys, each translated, with the same
 * placeholders; and every key the code asks for (t("…") after
 * useTranslations/getTranslations) exists in both. A missing or misspelt
 * key fails here, not in front of a user.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

function flatten(tree: object, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of flatten(v as object, key)) out.set(kk, vv);
  }
  return out;
}
const catalogs = { en: flatten(en), fr: flatten(fr) };

const placeholders = (text: string) =>
  [...text.matchAll(/\{(\w+)[,}]|<(\w+)>/g)].map((m) => m[1] ?? `<${m[2]}>`).sort();

/** Every translation lookup in the sources: file, line, and the key (a pattern when built from variables). */
function lookups(): { where: string; key: string; pattern: boolean }[] {
  const found: { where: string; key: string; pattern: boolean }[] = [];
  const files = ["app", "components", "lib"]
    .flatMap((d) => sourceFiles(path.join(ROOT, d)))
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f));
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (!/useTranslations|getTranslations/.test(text)) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const namespaces = new Map<string, string>();
    const namespaceOf = (e: ts.Expression): string | null => {
      let x: ts.Expression = e;
      while (ts.isParenthesizedExpression(x) || ts.isAwaitExpression(x)) x = x.expression;
      if (!ts.isCallExpression(x) || !ts.isIdentifier(x.expression)) return null;
      // translatorFor(locale, "namespace") is the same outside pages (mails).
      const position = { useTranslations: 0, getTranslations: 0, translatorFor: 1, pageTranslator: 0 }[
        x.expression.text
      ];
      if (position === undefined) return null;
      const arg = x.arguments[position];
      return arg && ts.isStringLiteral(arg) ? arg.text : "";
    };
    const keyOf = (arg: ts.Expression | undefined): { key: string; pattern: boolean }[] => {
      if (!arg) return [];
      if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))
        return [{ key: arg.text, pattern: false }];
      if (ts.isConditionalExpression(arg)) return [...keyOf(arg.whenTrue), ...keyOf(arg.whenFalse)];
      if (ts.isParenthesizedExpression(arg)) return keyOf(arg.expression);
      if (ts.isTemplateExpression(arg)) {
        const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        let re = esc(arg.head.text);
        for (const span of arg.templateSpans) re += `[A-Za-z0-9_]+${esc(span.literal.text)}`;
        return [{ key: re, pattern: true }];
      }
      return [];
    };
    const visit = (node: ts.Node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
        const ns = namespaceOf(node.initializer);
        if (ns !== null) namespaces.set(node.name.text, ns);
      }
      if (ts.isCallExpression(node)) {
        let callee: ts.Expression = node.expression;
        if (ts.isPropertyAccessExpression(callee) && ["rich", "markup", "raw"].includes(callee.name.text)) {
          callee = callee.expression;
        }
        const ns = ts.isIdentifier(callee) ? namespaces.get(callee.text) : namespaceOf(callee);
        if (ns !== undefined && ns !== null) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          for (const key of keyOf(node.arguments[0])) {
            const prefix = ns ? (key.pattern ? `${ns.replace(/\./g, "\\.")}\\.` : `${ns}.`) : "";
            found.push({
              where: `${path.relative(ROOT, file)}:${line + 1}`,
              key: prefix + key.key,
              pattern: key.pattern,
            });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("message catalogs", () => {
  it("hold the same keys in French and English, none empty", () => {
    expect([...catalogs.fr.keys()].sort()).toEqual([...catalogs.en.keys()].sort());
    for (const [lang, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of catalog) expect(text.trim(), `${lang} ${key}`).not.toBe("");
    }
  });

  it("use the same placeholders and tags in both languages", () => {
    for (const [key, text] of catalogs.en) {
      expect(placeholders(catalogs.fr.get(key) ?? ""), key).toEqual(placeholders(text));
    }
  });

  it("have every key the code asks for", () => {
    const used = lookups();
    expect(used.length).toBeGreaterThan(600);
    const missing: string[] = [];
    for (const { where, key, pattern } of used) {
      for (const [lang, catalog] of Object.entries(catalogs)) {
        const ok = pattern ? [...catalog.keys()].some((k) => new RegExp(`^${key}$`).test(k)) : catalog.has(key);
        if (!ok) missing.push(`${where}: ${lang} has no "${key}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("name every step of every kind of operation", () => {
    const tables = {
      upgrade: "lib/server/upgrades/upgrade.ts",
      backup: "lib/server/backups/create-backup.ts",
      restore: "lib/server/backups/restore-backup.ts",
      verify: "lib/server/backups/verify-backup.ts",
      deploy: "lib/server/instances/deploy.ts",
      recover: "lib/server/recover/recover-instance.ts",
    };
    for (const [kind, file] of Object.entries(tables)) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      // Every table of the file (a kind may have several paths, e.g. encrypted files and restic).
      const tables = [...text.matchAll(/_STEPS = \[([\s\S]*?)\] as const/g)].map((m) => m[1]!);
      const keys = tables.flatMap((table) => [...table.matchAll(/\{ key: "([a-z_]+)", title: "/g)].map((m) => m[1]!));
      expect(keys.length, file).toBeGreaterThan(2);
      for (const key of keys) {
        for (const [lang, catalog] of Object.entries(catalogs)) {
          expect(catalog.has(`operation.stepTitle.${kind}.${key}`), `${lang} ${kind}.${key}`).toBe(true);
        }
      }
    }
  });

  it("name every menu entry", () => {
    for (const item of NAV_ITEMS) {
      expect(catalogs.en.has(`nav.${item.label}`), item.label).toBe(true);
      expect(catalogs.fr.has(`nav.${item.label}`), item.label).toBe(true);
    }
  });
});
