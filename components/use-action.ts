"use client";

import { useTranslations } from "next-intl";
import { useCallback, useState } from "react";
import type { ActionResult } from "@/lib/server/action-result";

/**
 * The state of one control that runs server actions: whether one is running
 * (to disable the control and say what it is doing) and the last error, in
 * words the operator can act on. `run` takes the attempt: a server action's
 * call, or anything that throws a readable Error (a key touch then an action).
 * A request that never reached the panel is said so, never left spinning.
 * `running` says which attempt runs (its `doing`); `setNotice` keeps what a
 * success did, and `message` is the one line to show: the error, else that.
 */
export function useAction() {
  const t = useTranslations("common");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [doing, setDoing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const run = useCallback(
    async <T>(
      attempt: () => Promise<ActionResult<T>> | Promise<T>,
      options: {
        onDone?: (data: T) => void | Promise<void>;
        /** Stay pending after success (the page navigates away). */
        keepPending?: boolean;
        /** What this attempt does, for the control to say while it runs ("save", "Trying the key…"). */
        doing?: string;
      } = {},
    ): Promise<{ ok: true; data: T } | { ok: false; message: string }> => {
      setPending(true);
      setError(null);
      setNotice(null);
      setDoing(options.doing ?? null);
      let done = false;
      try {
        const result = await attempt();
        if (isActionResult<T>(result)) {
          if (!result.ok) {
            setError(result.message);
            return { ok: false, message: result.message };
          }
          done = true;
          await options.onDone?.(result.data);
          return { ok: true, data: result.data };
        }
        done = true;
        await options.onDone?.(result);
        return { ok: true, data: result };
      } catch (e) {
        // A server action that never answered throws a TypeError from fetch; anything else carries its own words.
        const message = e instanceof TypeError || !(e instanceof Error) || !e.message ? t("unreachable") : e.message;
        setError(message);
        return { ok: false, message };
      } finally {
        if (!(done && options.keepPending)) setPending(false);
      }
    },
    [t],
  );

  // The one line a form shows under its buttons: what went wrong, else what was done.
  const message = error
    ? { tone: "error" as const, text: error }
    : notice
      ? { tone: "success" as const, text: notice }
      : null;
  return { run, pending, running: pending ? doing : null, error, setError, notice, setNotice, message };
}

function isActionResult<T>(value: unknown): value is ActionResult<T> {
  return typeof value === "object" && value !== null && "ok" in value && typeof value.ok === "boolean";
}
