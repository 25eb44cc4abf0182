import { signIn } from "next-auth/react";
import type { useRouter } from "next/navigation";
import { translatorFor } from "@/lib/i18n/translator";

/** Words for the page being shown (its <html lang>), outside React components. */
export function pageTranslator(namespace: string) {
  return translatorFor(typeof document === "undefined" ? null : document.documentElement.lang, namespace);
}

/** Hand the key's response to the panel; on success go to the dashboard, else throw the panel's message. */
export async function signInAndGo(
  router: ReturnType<typeof useRouter>,
  provider: "key" | "enrol",
  fields: Record<string, string>,
  fallback: string,
): Promise<void> {
  const result = await signIn(provider, { ...fields, redirect: false });
  if (!result || result.error) throw new Error(result?.error ?? fallback);
  router.replace("/");
  router.refresh();
}

/** What to tell the person when the browser's WebAuthn call or the panel failed. */
export function ceremonyErrorMessage(error: unknown, notAllowedHint?: string): string {
  const err = error as Error;
  const t = pageTranslator("ceremony");
  if (err.name === "NotAllowedError") return `${t("notAllowed")} ${notAllowedHint ?? t("tryAgain")}`;
  if (err.name === "InvalidStateError") return t("alreadyRegistered");
  return err.message;
}
