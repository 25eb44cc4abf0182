import "server-only";
import { NextResponse } from "next/server";
import { toAppError } from "../errors";

/** An error as a JSON response: the status from its code, what happened and what to do; never a stack. */
export function errorResponse(error: unknown): NextResponse {
  const appError = toAppError(error);
  if (appError.code === "internal") console.error(appError.cause ?? appError);
  const { message, hint } = appError.toJSON();
  return NextResponse.json(
    { message: hint ? `${message} ${hint}` : message, code: appError.code },
    { status: appError.status, headers: { "Cache-Control": "no-store" } },
  );
}
