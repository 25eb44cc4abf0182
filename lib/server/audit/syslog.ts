import { storedSetting } from "../settings/stored-setting";
import type { Actor, RequestContext } from "../../kernel";
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/client";
import { isHostName, parseWholeSentences, portNumber } from "../validation";
import { exportRecord } from "./export-audit";
import type { AuditRow } from "./find-audit-events";
import { requestedBy, withAuditEvent } from "./record-audit-event";

/**
 * Forwarding of the audit trail to a syslog collector (RFC 5424 messages over
 * UDP, TCP or TLS with octet-counting framing, RFC 5426/6587/5425). Each
 * event is sent in order, once: a cursor in the database moves past an event
 * only when the transport has taken it; while the collector is down the
 * events wait in the audit table itself (nothing is lost, however long) and
 * the forwarder retries with a growing delay.
 */
export const SYSLOG_SETTING = "audit.syslog";
export const SYSLOG_TARGET = "syslog";
/** Structured-data id: the enterprise number is RFC 5612's, reserved for documentation and examples. */
export const SD_ID = "paillasse@32473";
/** Facility 13, "log audit". */
const FACILITY = 13;

const storedSyslog = storedSetting(
  SYSLOG_SETTING,
  z.object({
    enabled: z.boolean(),
    transport: z.enum(["udp", "tcp", "tls"]),
    host: z.string(),
    port: z.number().int(),
    /** PEM of the CA that signed the collector's certificate (TLS); none: the system's CAs. */
    caPem: z.string(),
  }),
);
export type SyslogSettings = NonNullable<Awaited<ReturnType<typeof storedSyslog.read>>>;

export const syslogSettingsSchema = z
  .object({
    enabled: z.enum(["true", "false"], { message: "Choose whether forwarding is on." }).transform((v) => v === "true"),
    transport: z.enum(["udp", "tcp", "tls"], { message: "Choose UDP, TCP or TLS." }),
    host: z
      .string()
      .trim()
      .min(1, "Give the collector's name or address, e.g. syslog.unit.example.")
      .refine((v) => isHostName(v) || net.isIP(v) !== 0, "The collector is not a host name or an IP address."),
    port: portNumber,
    caPem: z.string().trim().max(20_000, "The CA certificate is too long.").default(""),
  })
  .superRefine((v, ctx) => {
    if (!v.caPem) return;
    if (v.transport !== "tls") {
      ctx.addIssue({ code: "custom", path: ["caPem"], message: "A CA certificate is only used with TLS." });
      return;
    }
    try {
      new X509Certificate(v.caPem);
    } catch {
      ctx.addIssue({
        code: "custom",
        path: ["caPem"],
        message: "The CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE----- …).",
      });
    }
  });

export async function findSyslogSettings(db: Db): Promise<SyslogSettings | null> {
  return storedSyslog.read(db);
}

/** The form's values checked (nothing saved): bad input is refused before any key touch is asked for. */
export function checkSyslogSettings(raw: unknown): void {
  parseWholeSentences(syslogSettingsSchema, raw, "Correct it and save again.");
}

export async function saveSyslogSettings(
  db: Db,
  actor: Actor,
  raw: unknown,
  context: RequestContext,
): Promise<SyslogSettings> {
  const input = parseWholeSentences(syslogSettingsSchema, raw, "Correct it and save again.");
  const value: SyslogSettings = { ...input, host: input.host.toLowerCase() };
  await withAuditEvent(
    db,
    (tx) => storedSyslog.write(tx, value, { updatedById: actor.id }),
    () => ({
      ...requestedBy(actor, context),
      action: "settings.syslog",
      target: { type: "setting", id: SYSLOG_SETTING },
      params: {
        enabled: value.enabled,
        transport: value.transport,
        host: value.host,
        port: value.port,
        ca: value.caPem ? "custom" : "system",
      },
      outcome: "success",
    }),
  );
  return value;
}

/** RFC 5424 PARAM-VALUE escaping: `"`, `\` and `]` take a backslash. */
function sdValue(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** PRINTUSASCII without spaces, at most `max` characters; "-" when empty. */
function header(value: string | null | undefined, max: number): string {
  const clean = (value ?? "").replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return clean || "-";
}

const SEVERITY = { success: 6, denied: 4, failure: 4 } as const;

/**
 * One audit event as an RFC 5424 message: facility "log audit", severity
 * informational for successes and warning for failures and refusals,
 * MSGID = the action, structured data with who/what/outcome and the chain
 * hashes (so the collector's copy can be checked against the panel), and
 * the whole event as JSON in the UTF-8 MSG (with its BOM, as RFC 5424 asks).
 */
export function formatSyslogMessage(event: AuditRow & { hash?: string; prevHash?: string }, hostname: string): string {
  const pri = FACILITY * 8 + SEVERITY[event.outcome as keyof typeof SEVERITY];
  const params: [string, string | null | undefined][] = [
    ["id", String(event.id)],
    ["actor", event.actorLabel ?? event.actorType],
    ["key", event.securityKeyId],
    ["ip", event.ip],
    ["action", event.action],
    ["target", event.targetType ? `${event.targetType}:${event.targetId ?? ""}` : null],
    ["outcome", event.outcome],
    ["hash", event.hash],
    ["prev", event.prevHash],
  ];
  const sd = `[${SD_ID}${params
    .filter((p): p is [string, string] => Boolean(p[1]))
    .map(([k, v]) => ` ${k}="${sdValue(v)}"`)
    .join("")}]`;
  const msg = JSON.stringify(exportRecord(event));
  return `<${pri}>1 ${event.at.toISOString()} ${header(hostname, 255)} paillasse ${process.pid} ${header(
    event.action,
    32,
  )} ${sd} \ufeff${msg}`;
}

export interface SyslogSender {
  /** Resolves once the transport took the message (written to the socket). */
  send(message: string): Promise<void>;
  /**
   * Ends the connection. Over TCP and TLS it resolves only when the
   * collector closed its side cleanly, which means it read everything sent;
   * a reset or an error (the collector dropped unread messages) rejects.
   */
  close(): Promise<void>;
}

/** A connection to the collector. */
export async function openSyslog(settings: SyslogSettings, timeoutMs = 10_000): Promise<SyslogSender> {
  if (settings.transport === "udp") {
    const socket = dgram.createSocket(net.isIPv6(settings.host) ? "udp6" : "udp4");
    let failure: Error | null = null;
    socket.on("error", (error) => (failure = error));
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(settings.port, settings.host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return {
      send: (message) =>
        new Promise((resolve, reject) => {
          if (failure) return reject(failure);
          // One message per datagram (RFC 5426); keep under the common 64 KiB limit.
          socket.send(Buffer.from(message).subarray(0, 60_000), (error) => (error ? reject(error) : resolve()));
        }),
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }
  const socket: net.Socket = await new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      s.destroy();
      reject(error);
    };
    const s: net.Socket =
      settings.transport === "tls"
        ? tls.connect({
            host: settings.host,
            port: settings.port,
            servername: net.isIP(settings.host) ? undefined : settings.host,
            ca: settings.caPem || undefined,
            timeout: timeoutMs,
          })
        : net.connect({ host: settings.host, port: settings.port, timeout: timeoutMs });
    s.once(settings.transport === "tls" ? "secureConnect" : "connect", () => {
      s.off("error", onError);
      s.setTimeout(0);
      resolve(s);
    });
    s.once("error", onError);
    s.once("timeout", () => onError(new Error(`no answer within ${timeoutMs / 1000} s`)));
  });
  let failure: Error | null = null;
  let closed = false;
  socket.on("error", (error) => (failure ??= error));
  const closing = new Promise<void>((resolve) =>
    socket.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  // Anything the collector says is read and dropped (it should say nothing).
  socket.on("data", () => undefined);
  return {
    send: (message) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        if (closed) return reject(new Error("the collector closed the connection"));
        const bytes = Buffer.from(message);
        // Octet counting (RFC 6587 §3.4.1, RFC 5425): "LENGTH SP MESSAGE".
        socket.write(Buffer.concat([Buffer.from(`${bytes.length} `), bytes]), (error) =>
          error ? reject(error) : resolve(),
        );
      }),
    close: async () => {
      if (!closed) {
        socket.end();
        // A collector that never closes its side: after a while, take the messages as delivered.
        const timer = setTimeout(() => socket.destroy(), timeoutMs);
        await closing;
        clearTimeout(timer);
      }
      if (failure) throw failure;
    },
  };
}

const FORWARD_LOCK = 0x706c7379; // "plsy"

export interface ForwardResult {
  sent: number;
  /** Events still waiting (after a failure, or beyond the batch). */
  pending: number;
  error?: string;
}

/**
 * Sends the events after the cursor, oldest first, up to `batch` of them,
 * moving the cursor past each chunk the collector confirmed (over UDP, past
 * each chunk sent: UDP confirms nothing). After a failure the unconfirmed
 * chunk is sent again: at worst one chunk arrives twice, none is lost. One forwarder at a
 * time across panel processes (a transaction-scoped advisory lock).
 */
export async function forwardAuditEvents(
  db: Db,
  options: { hostname: string; batch?: number; chunk?: number; open?: typeof openSyslog; now?: () => Date },
): Promise<ForwardResult | null> {
  const settings = await findSyslogSettings(db);
  if (!settings?.enabled) return null;
  const open = options.open ?? openSyslog;
  const now = options.now ?? (() => new Date());
  return db.$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRaw<
        [{ locked: boolean }]
      >`SELECT pg_try_advisory_xact_lock(${FORWARD_LOCK}) AS locked`;
      if (!locked) return { sent: 0, pending: 0 };
      const cursor = await tx.auditForwarding.upsert({
        where: { target: SYSLOG_TARGET },
        create: { target: SYSLOG_TARGET },
        update: {},
      });
      const events = await tx.auditEvent.findMany({
        where: { id: { gt: cursor.lastEventId } },
        orderBy: { id: "asc" },
        take: options.batch ?? 500,
      });
      let lastSent = cursor.lastEventId;
      const remaining = async () => tx.auditEvent.count({ where: { id: { gt: lastSent } } });
      if (events.length === 0) return { sent: 0, pending: 0 };
      let sent = 0;
      let sender: SyslogSender | null = null;
      const chunk = options.chunk ?? 100;
      try {
        for (let i = 0; i < events.length; i += chunk) {
          // One connection per chunk: the cursor moves past a chunk once the collector confirmed it read it all.
          const part = events.slice(i, i + chunk);
          sender = await open(settings);
          for (const event of part) await sender.send(formatSyslogMessage(event, options.hostname));
          await sender.close();
          sender = null;
          lastSent = part[part.length - 1]!.id;
          sent += part.length;
          await tx.auditForwarding.update({
            where: { target: SYSLOG_TARGET },
            data: { lastEventId: lastSent, lastSentAt: now() },
          });
        }
        return { sent, pending: await remaining() };
      } catch (error) {
        await sender?.close().catch(() => undefined);
        const message = `${settings.transport.toUpperCase()} ${settings.host}:${settings.port}: ${(error as Error).message}`;
        await tx.auditForwarding.update({
          where: { target: SYSLOG_TARGET },
          data: { lastErrorAt: now(), lastError: message.slice(0, 500) },
        });
        return { sent, pending: await remaining(), error: message };
      }
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}

/** Where forwarding stands, for the Settings page and the metrics. */
export async function syslogStatus(db: Db) {
  const cursor = await db.auditForwarding.findUnique({ where: { target: SYSLOG_TARGET } });
  const pending = await db.auditEvent.count({ where: { id: { gt: cursor?.lastEventId ?? 0n } } });
  return {
    lastEventId: cursor?.lastEventId ?? 0n,
    lastSentAt: cursor?.lastSentAt ?? null,
    lastErrorAt: cursor?.lastErrorAt ?? null,
    lastError: cursor?.lastError ?? null,
    pending,
  };
}

/**
 * The forwarder's loop: right away, then every `intervalMs` while it keeps
 * up; after a failure the delay doubles up to `maxDelayMs`, and a clean run
 * brings it back. Stops when `stop()` is called.
 */
export function startAuditForwarder(
  db: Db,
  options: { hostname: string; log: (line: string) => void; intervalMs?: number; maxDelayMs?: number },
): { stop: () => Promise<void> } {
  const interval = options.intervalMs ?? 5_000;
  const maxDelay = options.maxDelayMs ?? 60_000;
  let delay = interval;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let lastError: string | null = null;
  const tick = async () => {
    try {
      const result = await forwardAuditEvents(db, { hostname: options.hostname });
      if (result?.error) {
        if (result.error !== lastError) options.log(`Audit forwarding to syslog failed (will retry): ${result.error}`);
        lastError = result.error;
        delay = Math.min(maxDelay, delay * 2);
      } else {
        if (lastError) options.log("Audit forwarding to syslog works again.");
        lastError = null;
        delay = result && result.pending > 0 ? 0 : interval;
      }
    } catch (error) {
      options.log(`Audit forwarding: ${(error as Error).message}`);
      delay = Math.min(maxDelay, delay * 2);
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule(delay);
      });
    }, ms);
  };
  schedule(0);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
