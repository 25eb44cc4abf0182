"use client";

import {
  Activity,
  Archive,
  Boxes,
  CalendarClock,
  KeyRound,
  LayoutDashboard,
  ScrollText,
  Server,
  Settings,
  Users,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTranslations } from "next-intl";
import { cn } from "@/components/ui";

const ICONS: Record<string, LucideIcon> = {
  "/": LayoutDashboard,
  "/hosts": Server,
  "/instances": Boxes,
  "/backups": Archive,
  "/upgrades": CalendarClock,
  "/operations": Activity,
  "/audit": ScrollText,
  "/operators": Users,
  "/settings": Settings,
  "/keys": KeyRound,
};

/** The links the signed-in person's role allows (computed on the server: see lib/auth/navigation.ts), in their language. */
export function NavLinks({ items }: { items: { href: string; label: string }[] }) {
  const pathname = usePathname();
  const t = useTranslations("nav");
  return (
    <ul className="space-y-0.5">
      {items.map(({ href, label }) => {
        const Icon = ICONS[href] ?? LayoutDashboard;
        const active = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm",
                active
                  ? "bg-slate-800 font-medium text-white"
                  : "text-slate-300 hover:bg-slate-800/60 hover:text-white",
              )}
            >
              <Icon aria-hidden className="size-4" />
              {t(label)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
