import { AppError } from "../../errors";
import { asMessage, englishText, msg, type Wording } from "../../i18n/message";

/**
 * Poll `probe` every two seconds (or `intervalMs`) until it is done, reporting each wait; past
 * `timeoutMs`, fail saying what did not happen and the last thing seen.
 */
export async function waitFor<T>(
  what: string,
  options: {
    timeoutMs: number;
    hint: string;
    onWait?: (elapsedMs: number, detail: string) => Promise<void>;
    /** Between two probes (default 2 s). */
    intervalMs?: number;
  },
  probe: () => Promise<{ done: true; value: T } | { done: false; detail: Wording }>,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const result = await probe();
    if (result.done) return result.value;
    const elapsed = Date.now() - started;
    if (elapsed > options.timeoutMs) {
      throw new AppError(
        "unavailable",
        msg`${what} did not happen within ${Math.round(options.timeoutMs / 1000)} s: ${asMessage(result.detail)}.`,
        { hint: options.hint },
      );
    }
    await options.onWait?.(elapsed, englishText(result.detail));
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2_000));
  }
}
