import { releaseTraits } from "./elabftw-releases";
import { msg, type Message } from "../../i18n/message";
/**
 * Reading what eLabFTW's console prints (the texts of its `bin/console`): the text decides, not
 * the exit code alone, because `bin/console` can exit 0 without having run
 * the command at all.
 */
export interface DbCheck {
  current: number;
  required: number;
  /** "No upgrade required." printed. */
  upToDate: boolean;
  /** The database is ahead of the image (a downgraded image): no upgrade can fix it. */
  ahead: boolean;
}

/** Parse `bin/console db:check`; null when the output is not a db:check report. */
export function parseDbCheck(stdout: string): DbCheck | null {
  const current = /Current version:\s*(\d+)/.exec(stdout)?.[1];
  const required = /Required version:\s*(\d+)/.exec(stdout)?.[1];
  const ok = stdout.includes("No upgrade required.");
  const needed = stdout.includes("An upgrade is required.");
  if (current === undefined || required === undefined || ok === needed) return null;
  const c = Number(current);
  const r = Number(required);
  return { current: c, required: r, upToDate: ok && c === r, ahead: c > r };
}

const UPDATE_DONE = {
  "all-done": /^All done\.$/m,
  "updated-to-schema": /^Updated to schema \d+\.$/m,
} as const;

/**
 * `bin/console db:update` applied its migrations only with exit 0 and its closing line printed:
 * "All done." up to 5.4, "Updated to schema N." from 5.5 (the target `version`'s, or either when
 * the version is not known). A console that exits 0 without running prints neither.
 */
export function dbUpdateSucceeded(exitCode: number, stdout: string, version?: string | null): boolean {
  if (exitCode !== 0) return false;
  const traits = releaseTraits(version);
  const expected = traits ? [UPDATE_DONE[traits.updateDone]] : Object.values(UPDATE_DONE);
  return expected.some((line) => line.test(stdout));
}

/** The lines of a db:update run worth keeping in a journal: each migration's banner and the closing line. */
export function dbUpdateMilestones(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(All done\.|Updated to schema \d+\.|SCHEMA\d+\.SQL|Database update starting)/.test(l));
}

/**
 * The "Almost there!" page eLabFTW serves while a schema update is pending: HTTP 200 up to 5.5.13,
 * 500 from 5.5.14 (either when the version is not known).
 */
export function isAlmostTherePage(status: number, body: string, version?: string | null): boolean {
  if (!body.includes("Almost there!")) return false;
  const traits = releaseTraits(version);
  return traits ? status === traits.almostThereStatus : status === 200 || status === 500;
}

/** `/healthcheck.php` answers 200 "ok", or 500 "ko" when the database is unreachable. */
export function parseHealth(status: number, body: string): "ok" | "ko" | "unexpected" {
  if (status === 200 && body.trim() === "ok") return "ok";
  if (status === 500 && body.trim() === "ko") return "ko";
  return "unexpected";
}

/** Lines that never explain a failure: PHP's deprecation chatter, usage help, blank lines. */
const NOISE =
  /^(PHP )?(Deprecated|Notice|Warning|Strict Standards)\b|^\s*$|^Usage:|^\s*\S+ \[-h\|--help\]|^\s*-h, --help|^=+$/;
/** Lines that do, the most telling first: a PHP fatal, an SQL error, a logged critical, then the console's own errors. */
const DECISIVE = [
  /PHP Fatal error|Fatal error:|Uncaught /,
  /SQLSTATE\[|^ERROR \d+|Access denied|Connection refused|Unknown database/,
  /\[critical\]|CRITICAL/,
  /Error with file|is not defined\./,
];

/**
 * The one line of a console run that says why it failed: a PHP fatal, an
 * SQL error, a `[critical]` log line, or the message of Symfony's
 * "In File.php line N:" block; never a deprecation or usage line. Null when
 * the run printed nothing that says anything.
 */
export function decisiveLine(output: { stdout: string; stderr: string }): string | null {
  const lines = `${output.stderr}\n${output.stdout}`.split(/\r?\n/).map((l) => l.trim());
  for (const pattern of DECISIVE) {
    const decisive = lines.find((l) => pattern.test(l));
    if (decisive) return decisive;
  }
  const header = lines.findIndex((l) => /^In \S+ line \d+:$/.test(l));
  if (header >= 0) {
    const message = lines.slice(header + 1).find((l) => !NOISE.test(l));
    if (message) return message;
  }
  return (
    output.stderr
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => !NOISE.test(l))
      .at(-1) ??
    output.stdout
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => !NOISE.test(l))
      .at(-1) ??
    null
  );
}

/**
 * What to tell an operator about a console run that did not give the
 * expected answer: its decisive line, and when it exited 0 without running
 * the command, that it did so and what it printed.
 */
export function describeConsoleFailure(
  command: string,
  result: { exitCode: number | null; stdout: string; stderr: string },
): Message {
  const line = decisiveLine(result);
  if (result.exitCode === 0) {
    return line
      ? msg`${command} exited 0 without giving its answer; it printed: ${line}`
      : msg`${command} exited 0 without giving its answer and printed nothing`;
  }
  const exit = result.exitCode ?? "unknown";
  return line
    ? msg`${command} failed (exit ${exit}): ${line}`
    : msg`${command} failed (exit ${exit}) and printed nothing`;
}
