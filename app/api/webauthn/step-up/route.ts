import { NextResponse } from "next/server";
import { z } from "zod";
import { authorize } from "@/lib/auth/authorize";
import { authConfig } from "@/lib/auth/config";
import { ceremonyResponse, refuseCrossOrigin, sameOrigin } from "@/lib/auth/route-helpers";
import { isStepUpAction, startStepUp, STEP_UP_ACTIONS } from "@/lib/auth/step-up";
import { db } from "@/lib/server/db/web";
import { errorResponse } from "@/lib/server/http";

const body = z.object({
  action: z.string().refine(isStepUpAction, { message: "is not an action that needs a key touch" }),
  params: z.unknown().optional(),
});

/**
 * Options for a key touch bound to one action and its parameters. Only the
 * operator's own keys are offered, and only for actions their role allows.
 */
export async function POST(request: Request) {
  if (!sameOrigin(request)) return refuseCrossOrigin();
  try {
    const parsed = body.safeParse(await request.json().catch(() => null));
    if (!parsed.success) {
      return NextResponse.json(
        { message: "This confirmation request is malformed. Reload the page and try again." },
        { status: 400 },
      );
    }
    const action = parsed.data.action as keyof typeof STEP_UP_ACTIONS;
    const operator = await authorize(STEP_UP_ACTIONS[action], `step-up:${action}`);
    const { options, binding } = await startStepUp(db(), authConfig().rp, operator, action, parsed.data.params ?? {});
    return ceremonyResponse(options, binding);
  } catch (error) {
    return errorResponse(error);
  }
}
