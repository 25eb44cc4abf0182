import "server-only";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { authOptions } from "./options";
import type { SessionOperator } from "./sessions";

/** The signed-in operator of this request, or null. The session row is checked on the way. */
export async function currentOperator(): Promise<SessionOperator | null> {
  await connection(); // per request, never prerendered
  const session = (await getServerSession(authOptions())) as { operator?: SessionOperator } | null;
  return session?.operator ?? null;
}

/** For pages: the operator, or off to the sign-in page. */
export async function requireOperator(): Promise<SessionOperator> {
  const operator = await currentOperator();
  if (!operator) redirect("/login");
  return operator;
}
