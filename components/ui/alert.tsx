import { AlertTriangle, CheckCircle2, Info, XCircle } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "./cn";

const tones = {
  error: { icon: XCircle, className: "border-red-200 bg-red-50 text-red-800", role: "alert" },
  warning: { icon: AlertTriangle, className: "border-amber-200 bg-amber-50 text-amber-900", role: "status" },
  info: { icon: Info, className: "border-sky-200 bg-sky-50 text-sky-900", role: "status" },
  success: { icon: CheckCircle2, className: "border-emerald-200 bg-emerald-50 text-emerald-900", role: "status" },
} as const;

/** A message in a box, with an icon and words (never colour alone). Errors are announced (role=alert). */
export function Alert({
  tone,
  title,
  children,
  action,
  className,
}: {
  tone: keyof typeof tones;
  title?: string;
  children: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  const { icon: Icon, className: toneClass, role } = tones[tone];
  return (
    <div role={role} className={cn("flex gap-2 rounded-md border px-3 py-2 text-sm", toneClass, className)}>
      <Icon aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div className="min-w-0 flex-1">
        {title && <div className="font-medium">{title}</div>}
        <div>{children}</div>
      </div>
      {action && <div className="shrink-0 self-center">{action}</div>}
    </div>
  );
}
