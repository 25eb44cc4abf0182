import { NextResponse } from "next/server";
import { audit, rateLimitedMessage, startSignIn } from "@/lib/auth/ceremonies";
import { signInLimiter } from "@/lib/auth/rate-limit";
import { authConfig } from "@/lib/auth/config";
import { ceremonyResponse, refuseCrossOrigin, sameOrigin } from "@/lib/auth/route-helpers";
import { db } from "@/lib/server/db/web";

/** Options for a sign-in touch (discoverable key: no name asked). */
export async function POST(request: Request) {
  if (!sameOrigin(request)) return refuseCrossOrigin();
  // A blocked address is told at once, before it is asked to touch its key.
  const context = { ip: request.headers.get("x-paillasse-client-ip"), userAgent: request.headers.get("user-agent") };
  const wait = await signInLimiter().retryAfter(context.ip, null);
  if (wait > 0) {
    await audit(db(), context, {
      action: "auth.sign_in",
      outcome: "denied",
      reason: "rate_limited",
      params: { stage: "options" },
    });
    return NextResponse.json(
      { message: rateLimitedMessage(wait) },
      { status: 429, headers: { "Retry-After": String(wait) } },
    );
  }
  const { options, binding } = await startSignIn(db(), authConfig().rp);
  return ceremonyResponse(options, binding);
}

export function GET() {
  return NextResponse.json({ message: "Use POST." }, { status: 405 });
}
