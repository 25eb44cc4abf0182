import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireOperator } from "@/lib/auth/current-operator";
import { db } from "@/lib/server/db/web";
import { countActiveKeys } from "@/lib/server/operators/find-operators";

/**
 * Every page under here needs a live session, checked on each request against
 * its row. Each page checks its own permission too (layouts and pages render
 * independently, so a layout check alone would not protect a page).
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const operator = await requireOperator();
  const activeKeys = await countActiveKeys(db(), operator.id);
  return (
    <AppShell operator={operator} activeKeys={activeKeys}>
      {children}
    </AppShell>
  );
}
