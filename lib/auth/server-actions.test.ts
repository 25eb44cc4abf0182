import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { STEP_UP_ACTIONS } from "./step-up";

/**
 * Every server action is a public endpoint. Each one is declared with
 * defineAction or defineTouchAction (lib/server/define-action.ts), whose edge
 * checks the role before anything else, parses the arguments, verifies the
 * key touch of a dangerous action, and only then runs the handler. This reads
 * every "use server" file under app/ and the edge itself, so an action
 * assembled by hand, or an edge that runs anything before the role check,
 * fails here.
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

/** Each exported binding of a file: its name and what defines it (the callee, or "function" for a declaration). */
function exportsOf(source: ts.SourceFile): { name: string; definedBy: string; node: ts.Node }[] {
  const found: { name: string; definedBy: string; node: ts.Node }[] = [];
  for (const statement of source.statements) {
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (ts.isFunctionDeclaration(statement)) {
      found.push({ name: statement.name!.text, definedBy: "function", node: statement });
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        found.push({
          name: d.name.getText(),
          definedBy: init && ts.isCallExpression(init) ? init.expression.getText() : (init?.getText() ?? ""),
          node: d,
        });
      }
    }
  }
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
      "app/(dashboard)/upgrades/actions.ts",
    ]);
  });

  for (const file of actionFiles) {
    it(`${path.relative(ROOT, file)}: every exported action goes through the one edge`, () => {
      const text = readFileSync(file, "utf8");
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      const exported = exportsOf(source);
      expect(exported.length).toBeGreaterThan(0);
      for (const { name, definedBy } of exported) {
        expect({ action: name, definedBy }).toEqual({
          action: name,
          definedBy: expect.stringMatching(/^define(Touch)?Action$/),
        });
      }
      // Nothing assembled by hand beside it.
      expect(text).not.toMatch(/\b(authorize|confirmStepUp|runAction)\(/);
    });
  }

  it("the edge checks the role before anything else, then the arguments, then the touch, then runs the handler", () => {
    const file = path.join(ROOT, "lib/server/define-action.ts");
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const edge = source.statements.find(
      (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === "edge",
    )!;
    expect(edge).toBeDefined();
    const body = edge.body!.getText();
    expect(firstAwaitedCall(edge.body!)).toBe("authorize");
    const order = ["authorize(", "parseArguments(", "confirmStepUp(", "handler("].map((call) => body.indexOf(call));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  // The dangerous actions (STEP_UP_ACTIONS) against the code: each is verified where it is done.
  const sources = actionFiles.map((f) => ({ file: f, text: readFileSync(f, "utf8") }));
  const verifiers = [
    ...sources,
    // Adding a key is a WebAuthn ceremony of its own, bound to "key.add" (route + ceremonies).
    ...["app/api/webauthn/keys/route.ts", "lib/auth/ceremonies.ts"].map((f) => ({
      file: path.join(ROOT, f),
      text: readFileSync(path.join(ROOT, f), "utf8"),
    })),
  ].filter((s) => /defineTouchAction|consumeStepUp|stepUp/.test(s.text));

  it("every action the permission table marks as needing a touch is verified by the code that does it", () => {
    const unverified = Object.keys(STEP_UP_ACTIONS).filter(
      (action) => !verifiers.some((s) => s.text.includes(`"${action}"`)),
    );
    expect(unverified).toEqual([]);
  });

  it("every save, removal, restore, upgrade, deploy, invite, revocation, re-read or forget takes a touch", () => {
    const problems: string[] = [];
    for (const { file, text } of sources) {
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      for (const { name, definedBy } of exportsOf(source)) {
        const dangerous = /^(save|delete|remove|restore|upgrade|deploy|invite|revoke(?!My)|reread|forget)/.test(name);
        if (dangerous && definedBy !== "defineTouchAction") problems.push(`${name} takes no touch`);
      }
    }
    expect(problems).toEqual([]);
  });
});
