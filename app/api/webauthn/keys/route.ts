import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { z } from "zod";
import { authorize, requestContext } from "@/lib/auth/authorize";
import { startKeyAddition } from "@/lib/auth/ceremonies";
import { authConfig } from "@/lib/auth/config";
import { ceremonyResponse, refuseCrossOrigin, sameOrigin } from "@/lib/auth/route-helpers";
import { verifyStepUp } from "@/lib/auth/step-up";
import { BINDING_COOKIE } from "@/lib/auth/tokens";
import { db } from "@/lib/server/db/web";
import { errorResponse } from "@/lib/server/http";

const body = z.object({ stepUp: z.string().min(1).max(20_000) });

/**
 * "Add a key", first half: a fresh touch of a key the operator already has
 * (bound to "key.add"), then registration options for the new key, whose
 * challenge is bound to this operator.
 */
export async function POST(request: Request) {
  if (!sameOrigin(request)) return refuseCrossOrigin();
  try {
    const operator = await authorize("keys.own", "key.add");
    const parsed = body.safeParse(await request.json().catch(() => null));
    if (!parsed.success) {
      return NextResponse.json({ message: "Touch your current key first, then try again." }, { status: 400 });
    }
    const config = authConfig();
    await verifyStepUp(
      db(),
      config.rp,
      operator,
      {
        action: "key.add",
        params: {},
        response: parsed.data.stepUp,
        binding: (await cookies()).get(BINDING_COOKIE)?.value,
      },
      await requestContext(),
      config.policy,
    );
    const { options, binding } = await startKeyAddition(db(), config.rp, operator);
    return ceremonyResponse(options, binding);
  } catch (error) {
    return errorResponse(error);
  }
}
