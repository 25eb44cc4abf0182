import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireOperator } from "@/lib/auth/current-operator";

/** Every page under here needs a live session: checked on each request, against its row. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const operator = await requireOperator();
  return <AppShell operator={operator}>{children}</AppShell>;
}
