import { NextResponse } from "next/server";
import { db } from "@/lib/server/db/web";
import { panelHealth } from "@/lib/server/health/panel-health";
import { requestLog } from "@/lib/server/request-log";

/** Up or down, for load balancers: no session needed, and no detail given (the reasons go to the log). */
export async function GET() {
  const health = await panelHealth(db()).catch((error: Error) => ({ up: false, problems: [error.message] }));
  if (!health.up) (await requestLog()).warn({ problems: health.problems }, "Health check: down");
  return NextResponse.json(
    { status: health.up ? "up" : "down" },
    { status: health.up ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
