import type { Locale } from "./config";
import { fill, isMessage, type Wording } from "./message";
import fr from "./messages/server.fr.json";

/**
 * The server's own words (error messages and hints, validation messages,
 * field labels, observation problems, verification reasons) in the reader's
 * language. They are written in English in the code, with `msg` where they
 * carry values (lib/i18n/message.ts); `messages/server.fr.json` maps each
 * message id to its French, and the catalog test fails when a new one has
 * none. A text is looked up by its id, never guessed from its English: an id
 * the catalog does not have is shown as written.
 */
const CATALOGS: Partial<Record<Locale, Record<string, string>>> = { fr };

export function localizeServerText(text: Wording, locale: string | null | undefined): string {
  const catalog = locale && locale !== "en" ? CATALOGS[locale as Locale] : undefined;
  if (typeof text === "string") return catalog?.[text] ?? text;
  return fill(catalog?.[text.id] ?? text.id, text.values, (v) =>
    isMessage(v) ? localizeServerText(v, locale) : String(v),
  );
}
