import { parseKeyRing, type KeyRing } from "../crypto";
import { env } from "../env";
import { AppError } from "../errors";

/** The master key ring of this process (PANEL_SECRET_KEY), parsed once. */
let cached: { spec: string; ring: KeyRing } | undefined;

export function keyRing(): KeyRing {
  const spec = env().PANEL_SECRET_KEY;
  if (!spec) {
    throw new AppError("config", "The master key is not configured, so stored secrets cannot be used.", {
      hint: "Start the panel with `npm start`, which creates one on first start, or set PANEL_SECRET_KEY.",
    });
  }
  if (cached?.spec !== spec) cached = { spec, ring: parseKeyRing(spec) };
  return cached.ring;
}
