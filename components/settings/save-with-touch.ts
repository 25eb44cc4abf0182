import { checkSettingsAction } from "@/app/(dashboard)/settings/actions";
import { withKeyTouch } from "@/components/auth/key-confirm";
import type { ActionResult } from "@/lib/server/action-result";

/**
 * Save a settings form: its values checked first (bad input is refused before
 * any key touch), then a touch bound to these very values, then the save.
 * Throws the readable error (for useAction).
 */
export async function saveSettingsWithTouch(
  kind: "mail" | "syslog",
  input: Record<string, string>,
  save: (input: Record<string, string>, stepUp: string) => Promise<ActionResult<null>>,
): Promise<null> {
  const checked = await checkSettingsAction(kind, input);
  if (!checked.ok) throw new Error(checked.message);
  return withKeyTouch("settings.update", input, (stepUp) => save(input, stepUp));
}
