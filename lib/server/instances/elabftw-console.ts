/**
 * Reading what eLabFTW's console prints (ELABFTW.md): the text decides, not
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

/** `bin/console db:update` succeeded only with exit 0 and "All done." printed. */
export function dbUpdateSucceeded(exitCode: number, stdout: string): boolean {
  return exitCode === 0 && /^All done\.$/m.test(stdout);
}

/** `/healthcheck.php` answers 200 "ok", or 500 "ko" when the database is unreachable. */
export function parseHealth(status: number, body: string): "ok" | "ko" | "unexpected" {
  if (status === 200 && body.trim() === "ok") return "ok";
  if (status === 500 && body.trim() === "ko") return "ko";
  return "unexpected";
}
