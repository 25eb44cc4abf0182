import { useTranslations } from "next-intl";

/** The units a person belongs to, as checkboxes named unitIds (read with FormData.getAll). */
export function UnitCheckboxes({
  units,
  checked = [],
  empty,
}: {
  units: { id: string; code: string; name: string }[];
  checked?: string[];
  empty: string;
}) {
  const t = useTranslations("units");
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">{t("legend")}</legend>
      {units.length === 0 ? (
        <p className="mt-1 text-xs text-slate-500">{empty}</p>
      ) : (
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {units.map((u) => (
            <label key={u.id} className="flex items-center gap-1.5 text-sm text-slate-800">
              <input type="checkbox" name="unitIds" value={u.id} defaultChecked={checked.includes(u.id)} />
              {u.code} <span className="text-slate-500">{u.name}</span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
