import type { Locale } from "./config";
import fr from "./messages/server.fr.json";

/**
 * The server's own words (error messages and hints, validation messages,
 * field labels) in the reader's language. They are written in English in
 * the code, where they are thrown; `messages/server.fr.json` holds each one
 * (a template's values as {0}, {1}…) with its French, and the catalog test
 * fails when a new one has none. A text is translated whole when it is in
 * the catalog, else by the first pattern it fits (its values translated in
 * turn when they are catalog words themselves), else as "Label problem."
 * or "Part: part" made of catalog pieces; anything else stays as it is.
 */
const CATALOGS: Partial<Record<Locale, Record<string, string>>> = { fr };

interface Pattern {
  regex: RegExp;
  target: string;
}

const compiled = new Map<Locale, { exact: Map<string, string>; patterns: Pattern[]; labels: string[] }>();

function tables(locale: Locale) {
  let t = compiled.get(locale);
  if (t) return t;
  const catalog = CATALOGS[locale] ?? {};
  const exact = new Map(Object.entries(catalog));
  const patterns = Object.entries(catalog)
    .filter(([source]) => /\{\d+\}/.test(source))
    // The most specific first: the more fixed words, the sooner.
    .sort(([a], [b]) => b.replace(/\{\d+\}/g, "").length - a.replace(/\{\d+\}/g, "").length)
    .map(([source, target]) => {
      const names: string[] = [];
      const body = source
        .split(/(\{\d+\})/)
        .map((part) => {
          const m = /^\{(\d+)\}$/.exec(part);
          if (m) {
            names.push(m[1]!);
            return `(?<p${m[1]}>[\\s\\S]+?)`;
          }
          return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
      return { regex: new RegExp(`^${body}$`), target };
    });
  // Field labels: short capitalised words without a full stop ("Unit code").
  const labels = [...exact.keys()]
    .filter((k) => /^[A-Z][A-Za-z]*( [A-Za-z]+){0,4}$/.test(k))
    .sort((a, b) => b.length - a.length);
  t = { exact, patterns, labels };
  compiled.set(locale, t);
  return t;
}

export function localizeServerText(text: string, locale: string | null | undefined, depth = 0): string {
  if (!text || !locale || locale === "en" || !(locale in CATALOGS) || depth > 3) return text;
  const { exact, patterns, labels } = tables(locale as Locale);
  const whole = exact.get(text);
  if (whole !== undefined) return whole;
  for (const { regex, target } of patterns) {
    const m = regex.exec(text);
    if (m?.groups) {
      return target.replace(/\{(\d+)\}/g, (_, n: string) =>
        localizeServerText(m.groups![`p${n}`] ?? "", locale, depth + 1),
      );
    }
  }
  // "Unit code must be …." from a validation: the label and the problem each from the catalog.
  if (text.endsWith(".")) {
    for (const label of labels) {
      if (text.startsWith(`${label} `)) {
        const problem = text.slice(label.length + 1, -1);
        const translated = exact.get(problem) ?? matchPattern(problem, locale, depth);
        if (translated !== null) return `${exact.get(label)!} ${translated}.`;
      }
    }
  }
  // "Step title: what went wrong", as the journal writes failures.
  const colon = text.indexOf(": ");
  if (colon > 0) {
    const left = localizeServerText(text.slice(0, colon), locale, depth + 1);
    const right = localizeServerText(text.slice(colon + 2), locale, depth + 1);
    if (left !== text.slice(0, colon) || right !== text.slice(colon + 2)) return `${left} : ${right}`;
  }
  return text;
}

function matchPattern(text: string, locale: string, depth: number): string | null {
  const translated = localizeServerText(text, locale, depth + 1);
  return translated !== text ? translated : null;
}
