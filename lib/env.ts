import { readFileSync } from "node:fs";
import path from "node:path";
import ipaddr from "ipaddr.js";
import { z } from "zod";

/**
 * The panel's configuration, read once from the environment and validated.
 *
 * Every variable is documented in .env.example. A secret may instead be given
 * as `<NAME>_FILE`, the path of a file holding it (Docker/systemd secrets);
 * giving both is an error. A bad value stops the process with one line naming
 * the variable, never a stack trace.
 */

/** Variables that accept a `<NAME>_FILE` variant because they hold secrets. */
export const SECRET_VARIABLES = [
  "DATABASE_URL",
  "DATABASE_OWNER_URL",
  "PANEL_SECRET_KEY",
  "PANEL_REGISTRY_PASSWORD",
  "PANEL_SMTP_URL",
  "PANEL_METRICS_TOKEN",
] as const;

const port = (fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, {
      message: "must be a port number between 1 and 65535",
    })
    .transform(Number);

const days = (fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 36500, {
      message: "must be a whole number of days between 1 and 36500",
    })
    .transform(Number);

const cidrList = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

const cidr = z.string().refine(isCidr, { message: "must be a list of CIDR ranges such as 10.8.0.0/16,::1/128" });

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), {
      message: "must be a postgresql:// connection URL",
    })
    .optional(),
  /**
   * With an external database: the role that owns the tables and runs the migrations and the job queue; DATABASE_URL
   * is then the runtime role, which the panel grants (no UPDATE/DELETE on the audit trail). Unset: one role does all.
   */
  DATABASE_OWNER_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), {
      message: "must be a postgresql:// connection URL",
    })
    .optional(),
  PANEL_SECRET_KEY: z.string().trim().min(1).optional(),
  PANEL_DATA_DIR: z.string().trim().min(1).default("data"),
  PANEL_HOST: z.string().trim().min(1).default("127.0.0.1"),
  PANEL_PORT: port(3000),
  PANEL_URL: z
    .string()
    .trim()
    .default("http://localhost:3000")
    .refine((v) => /^https?:\/\/[^/\s]+\/?$/.test(v), {
      message: "must be the panel's public base URL, e.g. https://paillasse.unit.example",
    })
    .transform((v) => v.replace(/\/$/, "")),
  PANEL_TRUSTED_NETWORKS: cidrList("127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7").pipe(
    z.array(cidr).min(1, { message: "must list at least one CIDR range" }),
  ),
  PANEL_TRUSTED_PROXIES: cidrList("").pipe(z.array(cidr)),
  EMBEDDED_PG_PORT: port(54329),
  PANEL_SESSION_MAX_HOURS: z
    .string()
    .trim()
    .default("12")
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 168, {
      message: "must be a whole number of hours between 1 and 168",
    })
    .transform(Number),
  PANEL_SESSION_IDLE_MINUTES: z
    .string()
    .trim()
    .default("15")
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1440, {
      message: "must be a whole number of minutes between 1 and 1440",
    })
    .transform(Number),
  /** Housekeeping: ended sessions are kept this long (for the sessions list), finished operations' log lines this long. */
  PANEL_SESSION_RETENTION_DAYS: days(30),
  PANEL_OPERATION_LOG_RETENTION_DAYS: days(365),
  DOCKER_SOCKET: z.string().trim().min(1).default("/var/run/docker.sock"),
  /** Registry asked for the tags of eLabFTW images (Docker Registry HTTP API v2). */
  PANEL_REGISTRY_URL: z
    .string()
    .trim()
    .default("https://registry-1.docker.io")
    .refine((v) => /^https?:\/\/[^/\s]+\/?$/.test(v), {
      message: "must be a registry base URL such as https://registry-1.docker.io",
    }),
  PANEL_REGISTRY_USERNAME: z.string().trim().min(1).optional(),
  PANEL_REGISTRY_PASSWORD: z.string().min(1).optional(),
  /**
   * Images (comma-separated, already present on the hosts) preferred for the
   * short-lived helper containers, e.g. measuring free disk space. When none
   * is present, an eLabFTW or MySQL image of the host is used.
   */
  PANEL_HELPER_IMAGES: z
    .string()
    .trim()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /**
   * The restic image the backup helpers run (pinned; a mirror or a newer
   * release can be named instead). Pulled on each Docker host when missing.
   */
  PANEL_RESTIC_IMAGE: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._\/:@-]*$/i, "PANEL_RESTIC_IMAGE must be an image reference such as restic/restic:0.18.0.")
    .default("restic/restic:0.18.0"),
  /**
   * How much each verification of a restic restore point reads back at most, in MiB, for each of
   * its two samples (uploaded files restored, repository data read): a larger repository is
   * covered in more verifications, not longer ones. The scheduled full read covers it all at once.
   */
  PANEL_VERIFY_READ_MIB: z
    .string()
    .trim()
    .default("128")
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1_048_576, {
      message: "must be a whole number of MiB between 1 and 1048576",
    })
    .transform(Number),
  /**
   * The panel's own age identity for backups (a key file outside the
   * database, created at first start). Default: <data dir>/backup-identity.txt.
   */
  PANEL_BACKUP_IDENTITY_FILE: z.string().trim().min(1).optional(),
  /** Where restore points go for instances without a backup policy. Default: <data dir>/backups. */
  PANEL_BACKUP_DIR: z.string().trim().min(1).optional(),
  /** Mail server for backup alerts, e.g. smtp://user:password@smtp.unit.example:587 (smtps:// for TLS). */
  PANEL_SMTP_URL: z
    .string()
    .trim()
    .refine((v) => /^smtps?:\/\/[^\s]+$/.test(v), { message: "must be an smtp:// or smtps:// URL" })
    .optional(),
  /** Sender of the alerts. */
  PANEL_SMTP_FROM: z.string().trim().min(3).default("Paillasse <paillasse@localhost>"),
  /** Bearer token Prometheus sends to /api/metrics (at least 32 characters). Unset: scrapes only from PANEL_METRICS_NETWORKS. */
  PANEL_METRICS_TOKEN: z.string().trim().min(32, { message: "must be at least 32 characters long" }).optional(),
  /** Networks that may scrape /api/metrics without the token. */
  PANEL_METRICS_NETWORKS: cidrList("127.0.0.0/8,::1/128").pipe(z.array(cidr)),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Strict key policy: a JSON file of FIDO metadata statements (an array, or
   * the decoded payload of a FIDO MDS3 BLOB); only those models may enrol.
   */
  PANEL_APPROVED_KEY_MODELS_FILE: z.string().trim().min(1).optional(),
  /**
   * Tests only: a file holding a number of milliseconds added to the panel's
   * clock (session limits, challenges, invites), so idle and absolute
   * timeouts can be exercised without waiting. Never set in production.
   */
  PANEL_TEST_CLOCK_FILE: z.string().trim().min(1).optional(),
});

export type Env = z.infer<typeof schema>;

/** A configuration problem the operator must fix; its message is one readable line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Parse a raw environment (process.env by default). Pure apart from reading
 * `*_FILE` files; throws ConfigError on the first problem found.
 */
export function parseEnv(raw: Record<string, string | undefined> = process.env): Env {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = raw[key];
    input[key] = value === "" ? undefined : value;
  }
  for (const name of SECRET_VARIABLES) {
    const file = raw[`${name}_FILE`];
    if (!file) continue;
    if (input[name] !== undefined) {
      throw new ConfigError(`Configuration error: set ${name} or ${name}_FILE, not both.`);
    }
    try {
      input[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(
        `Configuration error: ${name}_FILE points to a file that cannot be read (${code}). Check the path and its permissions.`,
      );
    }
  }
  // Unset, the public address follows the port (sign-in ceremonies are bound to it).
  if (input.PANEL_URL === undefined && input.PANEL_PORT !== undefined) {
    input.PANEL_URL = `http://localhost:${input.PANEL_PORT}`;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    // Never echo a secret back, even a malformed one.
    const shown = (SECRET_VARIABLES as readonly string[]).includes(name)
      ? ""
      : input[name] !== undefined
        ? ` (got "${input[name]}")`
        : "";
    throw new ConfigError(`Configuration error: ${name} ${issue.message}${shown}.`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The validated configuration of this process, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** Absolute path of the data directory (embedded database, generated keys). */
export function dataDir(e: Env = env()): string {
  return path.resolve(e.PANEL_DATA_DIR);
}

/** The backup identity file and the default destination of restore points. */
export function backupPaths(e: Env = env()): { identityFile: string; defaultDir: string } {
  return {
    // Run-time paths, not files of the app: keep them out of Next's output tracing.
    identityFile: path.resolve(
      /* turbopackIgnore: true */ e.PANEL_BACKUP_IDENTITY_FILE ?? path.join(dataDir(e), "backup-identity.txt"),
    ),
    defaultDir: path.resolve(/* turbopackIgnore: true */ e.PANEL_BACKUP_DIR ?? path.join(dataDir(e), "backups")),
  };
}

/** True when `value` is an IPv4 or IPv6 CIDR range (or a bare address), in canonical notation. */
export function isCidr(value: string): boolean {
  const [address = "", bits, extra] = value.split("/");
  if (extra !== undefined) return false;
  const plainAddress = ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address);
  if (!plainAddress) return false;
  if (bits === undefined) return true;
  try {
    ipaddr.parseCIDR(value);
    return /^\d{1,3}$/.test(bits);
  } catch {
    return false;
  }
}
