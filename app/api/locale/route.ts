import { NextResponse } from "next/server";
import { currentOperator } from "@/lib/auth/current-operator";
import { db } from "@/lib/db";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";

/**
 * The language switch: /api/locale?to=fr|en&back=/page. A plain link (works
 * from the keyboard and without script, signed in or not): remembers the
 * choice in a cookie and, for a signed-in operator, on their account (mails
 * are written in it), then goes back to the page. `back` must be a path of
 * this panel, never another site.
 */
export async function GET(request: Request) {
  const url = new URL(request.url);
  const to = url.searchParams.get("to");
  const back = url.searchParams.get("back") ?? "/";
  const target = /^\/(?![/\\])[^\s]*$/.test(back) ? back : "/";
  if (!isLocale(to)) {
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
    secure: url.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https",
  });
  return response;
}
