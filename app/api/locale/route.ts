import { NextResponse } from "next/server";
import { currentOperator } from "@/lib/auth/current-operator";
import { db } from "@/lib/server/db/web";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";

/**
 * The language switch: a form POST to /api/locale with `to` (fr|en) and
 * `back` (a page of this panel, never another site). Works from the keyboard
 * and without script, signed in or not: remembers the choice in a cookie and,
 * for a signed-in operator, on their account (mails are written in it), then
 * goes back to the page. A POST, because it changes stored state (a GET must
 * not: a link or a prefetch could change it). The panel's same-origin check
 * on POSTs applies.
 */
export async function POST(request: Request) {
  const url = new URL(request.url);
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return NextResponse.json(
      { code: "bad_input", message: "Send the language as a form: to=fr or to=en, and back=/page." },
      { status: 400 },
    );
  }
  const to = form.get("to");
  const backValue = form.get("back");
  const back = typeof backValue === "string" ? backValue : "/";
  // A page of this panel only; characters beyond ASCII percent-encoded (a Location header is Latin-1).
  const target = /^\/(?![/\\])[^\s]*$/.test(back) ? back.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c)) : "/";
  if (typeof to !== "string" || !isLocale(to)) {
    return NextResponse.json(
      { code: "bad_input", message: "This language is not available. Use to=fr or to=en." },
      { status: 400 },
    );
  }
  const operator = await currentOperator();
  if (operator) await db().operator.update({ where: { id: operator.id }, data: { locale: to } });
  const response = new NextResponse(null, { status: 303, headers: { Location: target, "Cache-Control": "no-store" } });
  response.cookies.set(LOCALE_COOKIE, to, {
    path: "/",
    maxAge: 365 * 24 * 3600,
    sameSite: "lax",
    httpOnly: true,
    // X-Forwarded-Proto reaches the app only from a trusted proxy (the server drops it otherwise).
    secure: url.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https",
  });
  return response;
}
