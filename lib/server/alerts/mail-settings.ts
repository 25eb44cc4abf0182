import type { Actor, RequestContext } from "../../kernel";
import { settingSecretContext } from "../settings/setting-secret";
import { storedSetting } from "../settings/stored-setting";
import { z } from "zod";
import { open, seal, type KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { requestedBy, withAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { isHostName, parseWholeSentences, portNumber } from "../validation";
import { smtpMailer, type Mailer } from "./backup-alerts";

/**
 * The mail server for alerts, set on the Settings page (PANEL_SMTP_URL in the
 * environment, when set, wins and the page says so). The password is sealed
 * with the master key in the setting's secret column, never sent back to the
 * browser, never in the audit trail.
 */
export const MAIL_SETTING = "mail.smtp";
const secretContext = settingSecretContext(MAIL_SETTING);

/** What is stored (the password apart, sealed in the row's secret column). */
const storedMail = storedSetting(
  MAIL_SETTING,
  z.object({
    host: z.string(),
    port: z.number().int(),
    security: z.enum(["tls", "starttls", "none"]),
    username: z.string(),
    from: z.string(),
    hasPassword: z.boolean().default(false),
  }),
);
export type MailSettings = NonNullable<Awaited<ReturnType<typeof storedMail.read>>>;

const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

export const mailSettingsSchema = z.object({
  host: z
    .string()
    .trim()
    .min(1, "Give the mail server's name, e.g. smtp.unit.example.")
    .refine((v) => isHostName(v) || ipv4.test(v), "This is not a host name or an IPv4 address."),
  port: portNumber,
  security: z.enum(["tls", "starttls", "none"], { message: "Choose TLS, STARTTLS or none." }),
  username: z.string().trim().max(200, "The user name is too long.").default(""),
  password: z.string().max(500, "The password is too long.").default(""),
  keepPassword: z.enum(["true", "false"]).default("true"),
  from: z
    .string()
    .trim()
    .min(3, "Give the sender, e.g. Paillasse <paillasse@unit.example>.")
    .max(200)
    .refine(
      (v) => /^[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+$/.test(v) || /^[^<>]*<[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>$/.test(v),
      "The sender is an address (paillasse@unit.example) or a name and an address (Paillasse <paillasse@unit.example>).",
    ),
});

export async function findMailSettings(db: Db): Promise<MailSettings | null> {
  return storedMail.read(db);
}

/** The form's values checked (nothing saved): bad input is refused before any key touch is asked for. */
export function checkMailSettings(raw: unknown): void {
  parseWholeSentences(mailSettingsSchema, raw, "Correct it and save again.");
}

export async function saveMailSettings(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  raw: unknown,
  context: RequestContext,
): Promise<MailSettings> {
  const input = parseWholeSentences(mailSettingsSchema, raw, "Correct it and save again.");
  const current = await db.setting.findUnique({ where: { key: MAIL_SETTING }, omit: { secretEnc: false } });
  const secretEnc = input.password
    ? seal(ring, input.password, secretContext)
    : input.keepPassword === "true"
      ? (current?.secretEnc ?? null)
      : null;
  if (!input.username && secretEnc) {
    throw new AppError("bad_input", "A password without a user name cannot be used.", {
      hint: "Give the user name, or clear the password.",
    });
  }
  if (input.username && !secretEnc) {
    throw new AppError("bad_input", "A user name needs its password.", {
      hint: "Give the password, or clear the user name if the server takes mail without signing in.",
    });
  }
  const value: MailSettings = {
    host: input.host.toLowerCase(),
    port: input.port,
    security: input.security,
    username: input.username,
    from: input.from,
    hasPassword: Boolean(secretEnc),
  };
  await withAuditEvent(
    db,
    (tx) => storedMail.write(tx, value, { secretEnc, updatedById: actor.id }),
    () => ({
      ...requestedBy(actor, context),
      action: "settings.mail",
      outcome: "success",
      target: { type: "setting", id: MAIL_SETTING },
      params: {
        host: value.host,
        port: value.port,
        security: value.security,
        username: value.username,
        from: value.from,
        password: input.password ? "changed" : value.hasPassword ? "kept" : "none",
      },
    }),
  );
  return value;
}

/** A mailer for the stored settings (null when none are stored). */
export async function storedMailer(db: Db, ring: KeyRing): Promise<Mailer | null> {
  const row = await storedMail.readWithSecret(db);
  if (!row) return null;
  const s = row.value;
  const password = row.secretEnc ? open(ring, row.secretEnc, secretContext) : undefined;
  return smtpMailer(
    {
      host: s.host,
      port: s.port,
      secure: s.security === "tls",
      requireTLS: s.security === "starttls",
      ignoreTLS: s.security === "none",
      auth: s.username ? { user: s.username, pass: password ?? "" } : undefined,
    },
    s.from,
  );
}
