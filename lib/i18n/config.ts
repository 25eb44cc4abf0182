/** The interface's languages. French first: the panel's users are French research units. */
export const LOCALES = ["fr", "en"] as const;
export type Locale = (typeof LOCALES)[number];
/** For a browser that asks for neither French nor English. */
export const DEFAULT_LOCALE: Locale = "en";
/** Set by the language switch; wins over the browser's languages. */
export const LOCALE_COOKIE = "paillasse-locale";
/** Dates are shown in the panel's time zone, whatever the browser's. */
export const TIME_ZONE = "Europe/Paris";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The best of our languages for an Accept-Language header (RFC 9110: tags
 * with q-values, `fr-CA` matching `fr`), or the default.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: (tag ?? "").trim().toLowerCase().split("-")[0]!, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.base && r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.base).find(isLocale) ?? DEFAULT_LOCALE;
}

/** The locale of a request: the switch's cookie, else the browser's languages. */
export function resolveLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  return isLocale(cookie) ? cookie : negotiateLocale(acceptLanguage);
}
