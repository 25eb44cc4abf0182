import { AlertTriangle, CheckCircle2, CircleDashed, Info, Loader2, XCircle, type LucideIcon } from "lucide-react";
import { cn } from "./cn";

export type Tone = "ok" | "warning" | "error" | "info" | "neutral" | "busy";

const tones: Record<Tone, { icon: LucideIcon; className: string }> = {
  ok: { icon: CheckCircle2, className: "border-emerald-200 bg-emerald-50 text-emerald-800" },
  warning: { icon: AlertTriangle, className: "border-amber-200 bg-amber-50 text-amber-900" },
  error: { icon: XCircle, className: "border-red-200 bg-red-50 text-red-800" },
  info: { icon: Info, className: "border-sky-200 bg-sky-50 text-sky-900" },
  neutral: { icon: CircleDashed, className: "border-slate-200 bg-slate-50 text-slate-700" },
  busy: { icon: Loader2, className: "border-sky-200 bg-sky-50 text-sky-900" },
};

/** A status said with a word and an icon, never with colour alone. */
export function StatusBadge({ tone, label, title }: { tone: Tone; label: string; title?: string }) {
  const { icon: Icon, className } = tones[tone];
  return (
    <span
      title={title}
      className={cn("inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium", className)}
    >
      <Icon aria-hidden className={cn("size-3.5", tone === "busy" && "animate-spin")} />
      {label}
    </span>
  );
}
