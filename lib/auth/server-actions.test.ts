import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { STEP_UP_ACTIONS } from "./step-up";

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

  // The dangerous actions (STEP_UP_ACTIONS) against the code: each is verified where it is done.
  const sources = actionFiles.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  const verifiers = [
    ...sources,
    // Adding a key is a WebAuthn ceremony of its own, bound to "key.add" (route + ceremonies).
    ...["app/api/webauthn/keys/route.ts", "lib/auth/ceremonies.ts"].map((f) => ({
      file: path.join(ROOT, f),
      text: readFileSync(path.join(ROOT, f), "utf8"),
    })),
  ].filter((s) => /confirmStepUp|asAdmin\(|consumeStepUp|stepUp/.test(s.text));

  it("every action the permission table marks as needing a touch is verified by the code that does it", () => {
    const unverified = Object.keys(STEP_UP_ACTIONS).filter(
      (action) => !verifiers.some((s) => s.text.includes(`"${action}"`)),
    );
    expect(unverified).toEqual([]);
  });

  it("every action that takes a touch checks it, and every save, removal, restore or upgrade takes one", () => {
    const problems: string[] = [];
    for (const { file, text } of sources) {
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      for (const fn of source.statements.filter(ts.isFunctionDeclaration)) {
        if (!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        const name = fn.name!.text;
        const takesTouch = fn.parameters.some((p) => p.name.getText() === "stepUp");
        const body = fn.body!.getText();
        if (takesTouch && !/confirmStepUp\(|asAdmin\(/.test(body)) problems.push(`${name} ignores its touch`);
        if (
          /^(save|delete|remove|restore|upgrade|deploy|invite|revoke(?!My)|reread|forget)/.test(name) &&
          !takesTouch
        ) {
          problems.push(`${name} takes no touch`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
