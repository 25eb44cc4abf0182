"use client";

import { Languages } from "lucide-react";
import { usePathname, useSearchParams } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { LOCALES } from "@/lib/i18n/config";

/**
 * The language switch: one small form per language (a POST: it changes stored
 * state), a plain button each (keyboard and screen-reader friendly), to
 * /api/locale, which remembers the choice and comes back to this page.
 */
export function LocaleSwitch() {
  const t = useTranslations("locale");
  const current = useLocale();
  const pathname = usePathname();
  const query = useSearchParams().toString();
  const back = query ? `${pathname}?${query}` : pathname;
  return (
    <nav aria-label={t("label")} className="flex items-center gap-1.5 text-xs text-slate-600">
      <Languages aria-hidden className="size-3.5" />
      {LOCALES.map((locale, i) => (
        <span key={locale} className="flex items-center gap-1.5">
          {i > 0 && <span aria-hidden>·</span>}
          {locale === current ? (
            <span aria-current="true" className="font-semibold text-slate-900" lang={locale}>
              {t(locale)}
            </span>
          ) : (
            <form method="post" action="/api/locale" className="inline">
              <input type="hidden" name="to" value={locale} />
              <input type="hidden" name="back" value={back} />
              <button type="submit" lang={locale} className="cursor-pointer underline">
                {t(locale)}
              </button>
            </form>
          )}
        </span>
      ))}
    </nav>
  );
}
