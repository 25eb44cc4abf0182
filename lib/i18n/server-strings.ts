import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The words the server sends to people, found in the sources: AppError
 * messages and hints, validation messages (zod), the field labels of
 * parseInput, `hint:` texts, and every `msg` template (its id: {0}, {1}…
 * where its values go). Used by the catalog test, so a new message without
 * its French fails the build, and so does a template literal with values
 * where a message goes without the `msg` tag (it would have no id).
 */
const ZOD_METHODS = new Set([
  "min",
  "max",
  "length",
  "regex",
  "int",
  "refine",
  "email",
  "url",
  "positive",
  "nonnegative",
  "gte",
  "lte",
  "startsWith",
  "endsWith",
  "nonempty",
]);

/** Every file below `dir`, without node_modules and generated code. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === "node_modules" || e.name === "generated"
      ? []
      : e.isDirectory()
        ? sourceFiles(path.join(dir, e.name))
        : [path.join(dir, e.name)],
  );
}

/** A string or template literal as a pattern ("Host {0} is down."), or null for anything else. */
export function literalPattern(node: ts.Node | undefined): string | null {
  if (!node) return null;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return node.head.text + node.templateSpans.map((s, i) => `{${i}}${s.literal.text}`).join("");
  }
  if (ts.isParenthesizedExpression(node)) return literalPattern(node.expression);
  return null;
}

/** Sentences are what people read; single words and code-like strings are not collected. */
const isWords = (text: string) => /[a-z]{2,} [a-zA-Z{]/.test(text) || /^[A-Z][a-z]+( [a-z]+)*$/.test(text);

export interface ServerString {
  text: string;
  where: string;
  /** A template literal with values where a message goes, without the `msg` tag: it could never be translated. */
  untagged?: true;
}

export function serverStrings(root: string): ServerString[] {
  const found: ServerString[] = [];
  const files = ["lib", "app"]
    .flatMap((d) => sourceFiles(path.join(root, d)))
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.includes(`${path.sep}i18n${path.sep}`));
  for (const file of files) {
    if (/\.tsx$/.test(file) && !/[/\\]route\.ts$/.test(file) && /[/\\](components|app)[/\\]/.test(file)) {
      // Pages and components say their words through the message catalogs.
      if (!/actions\.ts$/.test(file)) continue;
    }
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node | undefined) => {
      if (node && ts.isTaggedTemplateExpression(node)) return; // collected below, as every msg`…`
      if (node && ts.isConditionalExpression(node)) {
        add(node.whenTrue);
        add(node.whenFalse);
        return;
      }
      const text = literalPattern(node);
      if (text && isWords(text)) {
        const { line } = source.getLineAndCharacterOfPosition(node!.getStart());
        found.push({
          text,
          where: `${path.relative(root, file)}:${line + 1}`,
          ...(node && ts.isTemplateExpression(node) ? { untagged: true as const } : {}),
        });
      }
    };
    const visit = (node: ts.Node) => {
      if (ts.isTaggedTemplateExpression(node) && node.tag.getText() === "msg") {
        const text = literalPattern(node.template);
        if (text) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          found.push({ text, where: `${path.relative(root, file)}:${line + 1}` });
        }
      }
      if (
        ts.isNewExpression(node) &&
        ["AppError", "DockerError", "VerificationFailure"].includes(node.expression.getText())
      ) {
        for (const arg of node.arguments ?? []) add(arg);
      }
      if (ts.isPropertyAssignment(node) && ["hint", "message"].includes(node.name.getText())) add(node.initializer);
      // Field labels of validation messages ("Unit code must be …"): const LABEL(S) = { field: "Words" }.
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        /LABELS?$/.test(node.name.text) &&
        node.initializer &&
        ts.isObjectLiteralExpression(node.initializer)
      ) {
        for (const p of node.initializer.properties) if (ts.isPropertyAssignment(p)) add(p.initializer);
      }
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        if (ts.isPropertyAccessExpression(callee) && ZOD_METHODS.has(callee.name.text)) {
          for (const arg of node.arguments) add(arg);
        }
        // Compliance verdicts (add(id, title, verdict, reason)) and the problems an observation lists.
        if (ts.isIdentifier(callee) && callee.text === "add" && node.arguments.length === 4) {
          add(node.arguments[1]);
          add(node.arguments[3]);
        }
        if (
          ts.isPropertyAccessExpression(callee) &&
          callee.name.text === "push" &&
          /problems$/.test(callee.expression.getText())
        ) {
          for (const arg of node.arguments) add(arg);
        }
        if (ts.isIdentifier(callee) && callee.text === "asMessage") add(node.arguments[0]);
        if (ts.isIdentifier(callee) && callee.text === "parseInput") {
          const labels = node.arguments[2];
          if (labels && ts.isObjectLiteralExpression(labels)) {
            for (const p of labels.properties) if (ts.isPropertyAssignment(p)) add(p.initializer);
          }
          add(node.arguments[3]);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
