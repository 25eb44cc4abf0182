import Link from "next/link";
import { useTranslations } from "next-intl";

/**
 * A list's filters as a plain GET form: they live in the URL, so a filtered
 * view can be bookmarked and shared. Empty means "all".
 */
export function FilterBar({
  action,
  selects = [],
  texts = [],
  dates = [],
  current,
}: {
  action: string;
  selects?: { name: string; label: string; options: (string | [string, string])[] }[];
  texts?: { name: string; label: string; placeholder?: string }[];
  dates?: { name: string; label: string }[];
  current: Record<string, string | undefined>;
}) {
  const t = useTranslations("filters");
  const active = [...selects, ...texts, ...dates].some((f) => current[f.name]);
  return (
    <form action={action} method="get" className="mb-3 flex flex-wrap items-center gap-3">
      {selects.map((s) => (
        <label key={s.name} className="flex items-center gap-1.5 text-sm text-slate-700">
          {s.label}
          <select
            name={s.name}
            defaultValue={current[s.name] ?? ""}
            className="rounded-md border border-slate-300 px-2 py-1 text-sm"
          >
            <option value="">{t("all")}</option>
            {s.options.map((o) => {
              const [value, text] = Array.isArray(o) ? o : [o, o];
              return (
                <option key={value} value={value}>
                  {text}
                </option>
              );
            })}
          </select>
        </label>
      ))}
      {texts.map((t) => (
        <label key={t.name} className="flex items-center gap-1.5 text-sm text-slate-700">
          {t.label}
          <input
            name={t.name}
            defaultValue={current[t.name] ?? ""}
            placeholder={t.placeholder}
            className="w-40 rounded-md border border-slate-300 px-2 py-1 text-sm"
          />
        </label>
      ))}
      {dates.map((d) => (
        <label key={d.name} className="flex items-center gap-1.5 text-sm text-slate-700">
          {d.label}
          <input
            type="date"
            name={d.name}
            defaultValue={current[d.name] ?? ""}
            className="rounded-md border border-slate-300 px-2 py-1 text-sm"
          />
        </label>
      ))}
      <button
        type="submit"
        className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100"
      >
        {t("submit")}
      </button>
      {active && (
        <Link href={action} className="text-sm text-sky-800 underline">
          {t("clear")}
        </Link>
      )}
    </form>
  );
}
