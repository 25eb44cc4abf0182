import { NextResponse } from "next/server";
import { z } from "zod";
import { CeremonyFailure, startEnrolment } from "@/lib/auth/ceremonies";
import { authConfig } from "@/lib/auth/config";
import { ceremonyResponse, refuseCrossOrigin, sameOrigin } from "@/lib/auth/route-helpers";
import { db } from "@/lib/server/db/web";

const body = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

/** Options to register a key for the operator an enrolment link was made for. */
export async function POST(request: Request) {
  if (!sameOrigin(request)) return refuseCrossOrigin();
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return NextResponse.json(
      { message: "This enrolment link is incomplete: copy the whole link, including what follows #." },
      { status: 400 },
    );
  }
  try {
    const { options, binding } = await startEnrolment(db(), authConfig().rp, parsed.data.token);
    return ceremonyResponse(options, binding);
  } catch (error) {
    if (error instanceof CeremonyFailure) return NextResponse.json({ message: error.publicMessage }, { status: 410 });
    throw error;
  }
}
