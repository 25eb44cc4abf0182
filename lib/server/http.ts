import "server-only";
import { NextResponse } from "next/server";
import { toAppError } from "../errors";
import { requestLog } from "./request-log";
import { requestLocale } from "./request-locale";
import { localizeServerText } from "../i18n/server-messages";

/** An error as a JSON response: the status from its code, what happened and what to do; never a stack. */
export async function errorResponse(error: unknown): Promise<NextResponse> {
  const appError = toAppError(error);
  if (appError.code === "internal") (await requestLog()).error({ err: appError.cause ?? appError }, "Route failed");
  const locale = await requestLocale();
  return NextResponse.json(
    { message: localizeServerText(appError.fullText, locale), code: appError.code },
    { status: appError.status, headers: { "Cache-Control": "no-store" } },
  );
}
