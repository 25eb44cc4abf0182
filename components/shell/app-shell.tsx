import { FlaskConical } from "lucide-react";
import Link from "next/link";
import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Alert } from "@/components/ui";
import { navigationFor } from "@/lib/auth/navigation";
import { NavLinks } from "./nav-links";
import { LocaleSwitch } from "./locale-switch";
import { SignOutButton } from "./sign-out-button";

/** The frame of every signed-in page: navigation on the left, content on the right. */
export function AppShell({
  children,
  operator,
  activeKeys,
}: {
  children: ReactNode;
  operator: { displayName: string; role: "admin" | "operator" | "correspondant" };
  activeKeys: number;
}) {
  const t = useTranslations();
  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        {t("shell.skip")}
      </a>
      <nav aria-label={t("nav.main")} className="flex w-52 shrink-0 flex-col bg-slate-900 px-3 py-4">
        <div className="mb-5 flex items-center gap-2 px-2 text-white">
          <FlaskConical aria-hidden className="size-5 text-sky-300" />
          <span className="text-base font-semibold tracking-tight">Paillasse</span>
        </div>
        <NavLinks items={navigationFor(operator.role)} />
        <div className="mt-auto border-t border-slate-800 pt-3">
          <div className="px-2.5 pb-2 text-xs text-slate-400">
            <div className="truncate font-medium text-slate-200">{operator.displayName}</div>
            <div>{t(`roles.${operator.role}`)}</div>
          </div>
          <SignOutButton />
        </div>
      </nav>
      <main id="main" className="min-w-0 flex-1 px-6 py-5">
        <div className="-mt-2 mb-2 flex justify-end">
          <LocaleSwitch />
        </div>
        {activeKeys === 1 && (
          <Alert
            tone="warning"
            title={t("shell.oneKeyTitle")}
            className="mb-4"
            action={
              <Link href="/keys" className="font-medium underline">
                {t("shell.addSpareKey")}
              </Link>
            }
          >
            {t("shell.oneKeyBody")}
          </Alert>
        )}
        {children}
      </main>
    </div>
  );
}
