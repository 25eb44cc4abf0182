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
 */
export function useAction() {
  const t = useTranslations("common");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = useCallback(
    async <T>(
      attempt: () => Promise<ActionResult<T>> | Promise<T>,
      options: {
        onDone?: (data: T) => void | Promise<void>;
        /** Stay pending after success (the page navigates away). */
        keepPending?: boolean;
      } = {},
    ): Promise<{ ok: true; data: T } | { ok: false; message: string }> => {
      setPending(true);
      setError(null);
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

  return { run, pending, error, setError };
}

function isActionResult<T>(value: unknown): value is ActionResult<T> {
  return typeof value === "object" && value !== null && "ok" in value && typeof value.ok === "boolean";
}
