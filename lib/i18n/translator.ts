import { createTranslator } from "next-intl";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./config";
import en from "./messages/en.json";
import fr from "./messages/fr.json";

const CATALOGS = { en, fr } as const;

export type Translate = (key: string, values?: Record<string, string | number | Date>) => string;

/** Words outside a page (mails, background jobs), in a given language. */
export function translatorFor(locale: string | null | undefined, namespace?: string): Translate {
  const lang: Locale = isLocale(locale) ? locale : DEFAULT_LOCALE;
  const t = createTranslator({ locale: lang, messages: CATALOGS[lang] as typeof en });
  return (key, values) => (t as unknown as Translate)(namespace ? `${namespace}.${key}` : key, values);
}
