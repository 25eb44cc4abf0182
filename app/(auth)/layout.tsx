import { FlaskConical } from "lucide-react";
import type { ReactNode } from "react";
import { LocaleSwitch } from "@/components/shell/locale-switch";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-start justify-center bg-slate-50 px-4 pt-[12vh]">
      <div className="w-full max-w-md">
        <div className="mb-4 flex items-center gap-2 text-slate-900">
          <FlaskConical aria-hidden className="size-6 text-sky-800" />
          <span className="text-lg font-semibold tracking-tight">Paillasse</span>
          <span className="ml-auto">
            <LocaleSwitch />
          </span>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-6">{children}</div>
      </div>
    </main>
  );
}
