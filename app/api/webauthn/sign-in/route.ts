import { NextResponse } from "next/server";
import { startSignIn } from "@/lib/auth/ceremonies";
import { authConfig } from "@/lib/auth/config";
import { ceremonyResponse, refuseCrossOrigin, sameOrigin } from "@/lib/auth/route-helpers";
import { db } from "@/lib/db";

/** Options for a sign-in touch (discoverable key: no name asked). */
export async function POST(request: Request) {
  if (!sameOrigin(request)) return refuseCrossOrigin();
  const { options, binding } = await startSignIn(db(), authConfig().rp);
  return ceremonyResponse(options, binding);
}

export function GET() {
  return NextResponse.json({ message: "Use POST." }, { status: 405 });
}
