import { readFileSync } from "node:fs";
import { env } from "./env";

/**
 * The panel's notion of "now" for everything with a time limit (sessions,
 * challenges, enrolment links, account expiry). It is the system clock,
 * unless PANEL_TEST_CLOCK_FILE names a file holding an offset in
 * milliseconds: end-to-end tests move the clock forward that way to prove
 * idle and absolute session limits without waiting twelve hours.
 */
let cache: { file: string; readAt: number; offset: number } | undefined;

function offsetMs(): number {
  const file = env().PANEL_TEST_CLOCK_FILE;
  if (!file) return 0;
  const real = Date.now();
  if (cache && cache.file === file && real - cache.readAt < 200) return cache.offset;
  let offset = 0;
  try {
    const value = Number(readFileSync(file, "utf8").trim());
    offset = Number.isFinite(value) ? value : 0;
  } catch {
    offset = 0; // no file yet: no offset
  }
  cache = { file, readAt: real, offset };
  return offset;
}

export function now(): Date {
  return new Date(Date.now() + offsetMs());
}
