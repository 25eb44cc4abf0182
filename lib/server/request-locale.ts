import "server-only";
import { getLocale } from "next-intl/server";

/** The locale of the request being served (the switch's cookie, else the browser's), or English outside one. */
export async function requestLocale(): Promise<string> {
  try {
    return await getLocale();
  } catch {
    return "en";
  }
}
