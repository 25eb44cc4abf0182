import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseKeyRing, type KeyRing } from "../crypto";
import { dataDir, env, type Env } from "../env";
import { AppError } from "../errors";

/** The master key ring of this process (PANEL_SECRET_KEY), parsed once. */
let cached: { spec: string; ring: KeyRing } | undefined;

export function keyRing(): KeyRing {
  // A command-line tool run beside the panel finds the key `npm start` generated in the data directory.
  const spec = env().PANEL_SECRET_KEY ?? generatedKeySpec(env());
  if (!spec) {
    throw new AppError("config", "The master key is not configured, so stored secrets cannot be used.", {
      hint: "Start the panel with `npm start`, which creates one on first start, or set PANEL_SECRET_KEY.",
    });
  }
  if (cached?.spec !== spec) cached = { spec, ring: parseKeyRing(spec) };
  return cached.ring;
}

/**
 * The master key ring for a command-line tool: PANEL_SECRET_KEY (or its _FILE), else the key `npm start`
 * generated in the data directory; null when there is neither.
 */
export function masterKeyRingOf(e: Env): KeyRing | null {
  const spec = e.PANEL_SECRET_KEY ?? generatedKeySpec(e);
  return spec ? parseKeyRing(spec) : null;
}

function generatedKeySpec(e: Env): string | undefined {
  const file = path.join(dataDir(e), "master.key");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}
