import { Users } from "lucide-react";
import type { Metadata } from "next";
import { connection } from "next/server";
import { EmptyState, PageHeader, StatusBadge, Table } from "@/components/ui";
import { db } from "@/lib/db";
import { formatDateTime } from "@/lib/format";
import { findOperators } from "@/lib/server/operators/find-operators";

export const metadata: Metadata = { title: "Operators" };

const ROLE = { admin: "Admin", operator: "Operator", correspondant: "Correspondant CLE" } as const;

export default async function OperatorsPage() {
  await connection();
  const operators = await findOperators(db());
  const now = new Date();
  return (
    <>
      <PageHeader
        title="Operators"
        description="People allowed in, their role, their security keys and account expiry."
      />
      {operators.length === 0 ? (
        <EmptyState icon={Users} title="No operator yet">
          The first admin will be created from the command line of the panel&apos;s host, which prints a one-time
          enrolment link for a FIDO2 security key. That command arrives with the sign-in feature.
        </EmptyState>
      ) : (
        <Table
          caption="Operators"
          columns={["Name", "E-mail", "Role", "Account", "Active keys", "Last sign-in"]}
          rows={operators.map((o) => ({
            key: o.id,
            cells: [
              o.displayName,
              o.email,
              ROLE[o.role],
              o.disabledAt ? (
                <StatusBadge key="s" tone="error" label="Disabled" />
              ) : o.expiresAt < now ? (
                <StatusBadge key="s" tone="warning" label="Expired" />
              ) : (
                <StatusBadge key="s" tone="ok" label={`Active until ${formatDateTime(o.expiresAt)}`} />
              ),
              o._count.keys,
              formatDateTime(o.lastLoginAt),
            ],
          }))}
        />
      )}
    </>
  );
}
