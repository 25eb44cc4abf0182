import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

/** What a page shows when it has nothing yet: what this is, and what to do next. */
export function EmptyState({
  icon: Icon,
  title,
  children,
  action,
}: {
  icon: LucideIcon;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
      <Icon aria-hidden className="size-8 text-slate-400" />
      <h2 className="mt-3 text-base font-semibold text-slate-800">{title}</h2>
      <div className="mt-1 max-w-xl text-sm text-slate-600">{children}</div>
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}
