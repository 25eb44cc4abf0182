import { Users } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { InviteForm } from "@/components/operators/invite-form";
import { AccountBadge, ROLE_LABEL } from "@/components/operators/labels";
import { EmptyState, PageHeader, Table } from "@/components/ui";
import { requirePermission } from "@/lib/auth/authorize";
import { now } from "@/lib/clock";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findOperators } from "@/lib/server/operators/find-operators";
import { findUnits } from "@/lib/server/units/find-units";

export const metadata: Metadata = { title: "Operators" };

export default async function OperatorsPage() {
  const viewer = await requirePermission("operators.manage", "/operators");
  const [operators, units] = await Promise.all([findOperators(db()), findUnits(db(), viewer)]);
  const at = now();
  const inAYear = new Date(at.getTime() + 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return (
    <>
      <PageHeader
        title="Operators"
        description="People allowed in, their role, their units, their security keys and account expiry. Every change asks for a touch of your key."
      />
      <div className="space-y-5">
        {operators.length === 0 ? (
          <EmptyState icon={Users} title="No operator yet">
            Invite the first people below; each gets a one-time link to register their security key.
          </EmptyState>
        ) : (
          <Table
            caption="Operators"
            columns={["Name", "E-mail", "Role", "Units", "Account", "Active keys", "Last sign-in"]}
            rows={operators.map((o) => ({
              key: o.id,
              cells: [
                <Link key="n" href={`/operators/${o.id}`} className="font-medium text-sky-800 underline">
                  {o.displayName}
                </Link>,
                o.email,
                ROLE_LABEL[o.role],
                o.memberships.map((m) => m.unit.code).join(", ") || "—",
                <AccountBadge key="s" disabledAt={o.disabledAt} expiresAt={o.expiresAt} now={at} />,
                o._count.keys,
                formatDateTime(o.lastLoginAt),
              ],
            }))}
          />
        )}
        <InviteForm units={units} defaultExpiry={inAYear} />
      </div>
    </>
  );
}
