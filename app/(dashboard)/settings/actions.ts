"use server";

import { revalidatePath } from "next/cache";
import { db } from "@/lib/server/db/web";
import { AppError } from "@/lib/errors";
import { defineAction, defineTouchAction } from "@/lib/server/define-action";
import { z } from "zod";
import { checkMailSettings, saveMailSettings, storedMailer } from "@/lib/server/alerts/mail-settings";
import { operatorActor, recordAuditEvent } from "@/lib/server/audit/record-audit-event";
import { keyRing } from "@/lib/server/secrets";
import { translatorFor } from "@/lib/i18n/translator";
import { checkSyslogSettings, forwardAuditEvents, saveSyslogSettings } from "@/lib/server/audit/syslog";
import { hostname } from "node:os";
import { msg } from "@/lib/i18n/message";

/** Whatever a form sends: the settings' own schemas name the field that is wrong. */
const form = z.record(z.string(), z.unknown());

/** Check a settings form's values before the key touch is asked for (nothing is saved). */
export const checkSettingsAction = defineAction(
  { name: "settings.check", permission: "settings.manage", args: [z.enum(["mail", "syslog"]), form] },
  async ({ args: [kind, input] }) => {
    if (kind === "mail") checkMailSettings(input);
    else checkSyslogSettings(input);
    return null;
  },
);

/** Save the mail server used for alerts (checked; the password sealed, kept when left empty). */
export const saveMailSettingsAction = defineTouchAction(
  // Where alerts go is a dangerous setting: a touch bound to these very values.
  { name: "settings.update", args: [form], stepUp: { params: ([input]) => input }, revalidate: ["/settings"] },
  async ({ operator, args: [input], context }) => {
    await saveMailSettings(db(), keyRing(), operator, input, context);
    return null;
  },
);

/** Send a test mail to the signed-in operator through the stored settings. */
export const sendTestMailAction = defineAction(
  { name: "settings.mail_test", permission: "settings.manage", args: [] },
  async ({ operator, context }) => {
    const mailer = await storedMailer(db(), keyRing());
    if (!mailer) {
      throw new AppError("precondition_failed", "No mail server is saved yet.", {
        hint: "Fill in and save the form first.",
      });
    }
    const audit = (outcome: "success" | "failure", detail: { reason?: string; params?: Record<string, unknown> }) =>
      recordAuditEvent(db(), {
        actor: operatorActor(operator),
        ip: context.ip,
        userAgent: context.userAgent,
        action: "settings.mail_test",
        outcome,
        ...detail,
      });
    // In the language the operator reads the panel in, like the alerts they will get.
    const { locale } = await db().operator.findUniqueOrThrow({ where: { id: operator.id }, select: { locale: true } });
    const t = translatorFor(locale, "mail.test");
    try {
      await mailer.send({ to: [operator.email], subject: t("subject"), text: `${t("body")}\n` });
    } catch (error) {
      await audit("failure", { reason: (error as Error).message.slice(0, 300) });
      throw new AppError("unavailable", msg`The mail server did not take the test mail: ${(error as Error).message}.`, {
        hint: "Check the server name, port, security and credentials, and that the panel's machine may reach that port.",
      });
    }
    await audit("success", { params: { to: operator.email } });
    return { to: operator.email };
  },
);

/** Save where the audit trail is forwarded (syslog collector), checked. */
export const saveSyslogSettingsAction = defineTouchAction(
  // Where every audit event is sent: a touch bound to these very values.
  { name: "settings.update", args: [form], stepUp: { params: ([input]) => input }, revalidate: ["/settings"] },
  async ({ operator, args: [input], context }) => {
    await saveSyslogSettings(db(), operator, input, context);
    return null;
  },
);

/** Forward the waiting audit events now, rather than at the forwarder's next turn, and say how it went. */
export const forwardAuditNowAction = defineAction(
  { name: "settings.syslog_forward", permission: "settings.manage", args: [] },
  async () => {
    const result = await forwardAuditEvents(db(), { hostname: hostname() });
    if (!result) {
      throw new AppError("precondition_failed", "Forwarding to syslog is off.", {
        hint: "Turn it on and save the form first.",
      });
    }
    // What was sent before a failure counts: the page shows the new figures either way.
    revalidatePath("/settings");
    if (result.error) {
      throw new AppError("unavailable", msg`The collector did not take the events: ${result.error}.`, {
        hint: "Check the collector's address, port and transport, and that the panel's machine may reach it. Nothing is lost: the events wait and are retried.",
      });
    }
    return { sent: result.sent, pending: result.pending };
  },
);
