import { readFileSync } from "node:fs";
import { env } from "./env";

/**
 * The panel's notion of "now" for everything with a time limit (sessions,
 * challenges, enrolment links, account expiry). It is the system clock,
 * unless PANEL_TEST_CLOCK_FILE names a file holding an offset in
 * milliseconds: end-to-end tests move the clock forward that way to prove
 * idle and absolute session limits without waiting twelve hours.
 */
function offsetMs(): number {
  const file = env().PANEL_TEST_CLOCK_FILE;
  if (!file) return 0;
  // Read at every call (tests only): a test moves the clock and expects the very next request to see it.
  try {
    const value = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(value) ? value : 0;
  } catch {
    return 0; // no file yet: no offset
  }
}

export function now(): Date {
  return new Date(Date.now() + offsetMs());
}
