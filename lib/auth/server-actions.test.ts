import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Every server action is a public endpoint. This reads every "use server"
 * file under app/ and checks that each exported action's first awaited call
 * is an authorisation check (`authorize`, or a local helper whose own first
 * awaited call is `authorize`), so no action runs anything before knowing who
 * asks and what their role allows.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

function firstAwaitedCall(node: ts.Node): string | null {
  let found: string | null = null;
  const visit = (n: ts.Node) => {
    if (found !== null) return;
    if (ts.isAwaitExpression(n)) {
      const e = n.expression;
      found = ts.isCallExpression(e) ? e.expression.getText() : e.getText();
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

const actionFiles = walk(path.join(ROOT, "app")).filter(
  (f) => /\.tsx?$/.test(f) && /^\s*["']use server["']/.test(readFileSync(f, "utf8")),
);

describe("server actions", () => {
  it("are found", () => {
    expect(actionFiles.map((f) => path.relative(ROOT, f)).sort()).toEqual([
      "app/(dashboard)/backups/actions.ts",
      "app/(dashboard)/hosts/actions.ts",
      "app/(dashboard)/instances/actions.ts",
      "app/(dashboard)/keys/actions.ts",
      "app/(dashboard)/operators/actions.ts",
      "app/(dashboard)/settings/actions.ts",
    ]);
  });

  for (const file of actionFiles) {
    it(`${path.relative(ROOT, file)}: every exported action authorises first`, () => {
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const guards = new Set(["authorize"]);
      const functions = source.statements.filter(ts.isFunctionDeclaration);
      // Local helpers that authorise first count as guards (e.g. asAdmin).
      for (const fn of functions) {
        if (fn.body && firstAwaitedCall(fn.body) === "authorize") guards.add(fn.name!.text);
      }
      const exported = functions.filter((fn) => fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
      expect(exported.length).toBeGreaterThan(0);
      for (const fn of exported) {
        // The body is `return runAction(async () => { … })`: look inside.
        expect({ action: fn.name!.text, first: firstAwaitedCall(fn.body!) }).toEqual({
          action: fn.name!.text,
          first: expect.stringMatching(new RegExp(`^(${[...guards].join("|")})$`)),
        });
      }
    });
  }
});
