import { signIn } from "next-auth/react";
import type { useRouter } from "next/navigation";

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
export function ceremonyErrorMessage(error: unknown, notAllowedHint = "Try again."): string {
  const err = error as Error;
  if (err.name === "NotAllowedError")
    return `The key was not used in time, or the request was cancelled. ${notAllowedHint}`;
  if (err.name === "InvalidStateError") return "This key is already registered. Sign in with it instead.";
  return err.message;
}
