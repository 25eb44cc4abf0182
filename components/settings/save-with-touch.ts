import { checkSettingsAction } from "@/app/(dashboard)/settings/actions";
import { withKeyTouch } from "@/components/auth/key-confirm";
import type { ActionResult } from "@/lib/server/action-result";

/**
 * Save a settings form: its values checked first (bad input is refused before
 * any key touch), then a touch bound to these very values, then the save.
 * Returns the readable error, or null when saved.
 */
export async function saveSettingsWithTouch(
  kind: "mail" | "syslog",
  input: Record<string, string>,
  save: (input: Record<string, string>, stepUp: string) => Promise<ActionResult<null>>,
): Promise<string | null> {
  const checked = await checkSettingsAction(kind, input);
  if (!checked.ok) return checked.message;
  try {
    await withKeyTouch("settings.update", input, (stepUp) => save(input, stepUp));
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
