import { NextResponse } from "next/server";
import { env } from "../env";
import { BINDING_COOKIE } from "./tokens";

/** State-changing routes answer only requests from the panel's own pages. */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  return origin !== null && origin === new URL(env().PANEL_URL).origin;
}

export function refuseCrossOrigin(): NextResponse {
  return NextResponse.json(
    { message: "Refused: this request did not come from the panel's own pages. Reload the page and try again." },
    { status: 403 },
  );
}

/** Options for the browser, and the HttpOnly cookie binding the challenge to it. */
export function ceremonyResponse(options: unknown, binding: string): NextResponse {
  const response = NextResponse.json(options, { headers: { "Cache-Control": "no-store" } });
  response.cookies.set(BINDING_COOKIE, binding, {
    httpOnly: true,
    sameSite: "strict",
    secure: env().PANEL_URL.startsWith("https://"),
    path: "/",
    maxAge: 300,
  });
  return response;
}
