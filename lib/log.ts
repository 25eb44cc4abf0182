import pino, { type Logger } from "pino";
import { redact } from "./server/audit/audit-chain";

/**
 * The panel's log: one JSON object per line on standard output (pino), for
 * journald, Docker or a log shipper. Every request gets an id (X-Request-Id,
 * also sent back to the browser and shown on error pages' requests), found
 * in each line logged while serving it. Nothing secret is logged: objects
 * pass through the same redaction as the audit trail (password, token, key,
 * secret… at any depth), and URLs are logged without their query string
 * (invitation links carry their token there).
 */
const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
type Level = (typeof LEVELS)[number];

function level(): Level {
  const configured = process.env.LOG_LEVEL as Level | undefined;
  return configured && LEVELS.includes(configured) ? configured : "info";
}

export function createLogger(destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: level(),
      base: { app: "paillasse", pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // Every object logged is redacted by key name, at any depth, before it is written.
        logMethod(args, method) {
          const safe = args.map((a) => (a && typeof a === "object" ? redact(withPlainErrors(a)) : a));
          method.apply(this, safe as Parameters<typeof method>);
        },
      },
      // Errors were already made plain (and redacted) by the hook above.
      serializers: { err: (e: unknown) => (e instanceof Error ? pino.stdSerializers.err(e) : e) },
    },
    destination,
  );
}

/** Errors become plain objects (type, message, stack, cause) so redaction can walk them. */
function withPlainErrors(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return pino.stdSerializers.err(value);
  if (depth > 8 || !value || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => withPlainErrors(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPlainErrors(v, depth + 1)]));
}

const globalLog = globalThis as unknown as { paillasseLogger?: Logger };

/** The process's logger (one for the start script, Next and the jobs: they share the process). */
export function log(): Logger {
  globalLog.paillasseLogger ??= createLogger();
  return globalLog.paillasseLogger;
}

/** Accepts a request id from a trusted front (reverse proxy) if it looks like one, else null. */
export function cleanRequestId(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^[A-Za-z0-9._:-]{8,80}$/.test(v) ? v : null;
}

/** The path of a URL without its query string or fragment. */
export function pathOnly(url: string | undefined): string {
  return (url ?? "").split(/[?#]/)[0]!.slice(0, 300);
}
