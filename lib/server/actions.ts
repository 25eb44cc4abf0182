import "server-only";
import { unstable_rethrow } from "next/navigation";
import { toAppError } from "../errors";
import type { ActionResult } from "./action-result";
import { requestLog } from "./request-log";
import { requestLocale } from "./request-locale";
import { localizeServerText } from "../i18n/server-messages";

export type { ActionResult };

/**
 * Run a server action's body: errors become a readable result (message and
 * hint together, no stack, no secret); Next's own interrupts (redirect,
 * forbidden) pass through.
 */
export async function runAction<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (error) {
    unstable_rethrow(error);
    const appError = toAppError(error);
    if (appError.code === "internal") {
      (await requestLog()).error({ err: appError.cause ?? appError }, "Server action failed");
    }
    // What happened and what to do, in the language the person reads the panel in.
    const locale = await requestLocale();
    return { ok: false, code: appError.code, message: localizeServerText(appError.fullText, locale) };
  }
}
