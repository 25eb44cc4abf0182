"use server";

import { revalidatePath } from "next/cache";
import { authorize, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { saveMailSettings, storedMailer } from "@/lib/server/alerts/mail-settings";
import { operatorActor, recordAuditEvent } from "@/lib/server/audit/record-audit-event";
import { keyRing } from "@/lib/server/secrets";
import { translatorFor } from "@/lib/i18n/translator";
import { forwardAuditEvents, saveSyslogSettings } from "@/lib/server/audit/syslog";
import { hostname } from "node:os";

/** Save the mail server used for alerts (checked; the password sealed, kept when left empty). */
export async function saveMailSettingsAction(input: Record<string, unknown>): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("settings.manage", "settings.mail");
    await saveMailSettings(db(), keyRing(), operator, input, await requestContext());
    revalidatePath("/settings");
    return null;
  });
}

/** Send a test mail to the signed-in operator through the stored settings. */
export async function sendTestMailAction(): Promise<ActionResult<{ to: string }>> {
  return runAction(async () => {
    const operator = await authorize("settings.manage", "settings.mail_test");
    const mailer = await storedMailer(db(), keyRing());
    if (!mailer) {
      throw new AppError("precondition_failed", "No mail server is saved yet.", {
        hint: "Fill in and save the form first.",
      });
    }
    const context = await requestContext();
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
      throw new AppError("unavailable", `The mail server did not take the test mail: ${(error as Error).message}.`, {
        hint: "Check the server name, port, security and credentials, and that the panel's machine may reach that port.",
      });
    }
    await audit("success", { params: { to: operator.email } });
    return { to: operator.email };
  });
}

/** Save where the audit trail is forwarded (syslog collector), checked. */
export async function saveSyslogSettingsAction(input: Record<string, unknown>): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("settings.manage", "settings.syslog");
    await saveSyslogSettings(db(), operator, input, await requestContext());
    revalidatePath("/settings");
    return null;
  });
}

/** Forward the waiting audit events now, rather than at the forwarder's next turn, and say how it went. */
export async function forwardAuditNowAction(): Promise<ActionResult<{ sent: number; pending: number }>> {
  return runAction(async () => {
    await authorize("settings.manage", "settings.syslog_forward");
    const result = await forwardAuditEvents(db(), { hostname: hostname() });
    if (!result) {
      throw new AppError("precondition_failed", "Forwarding to syslog is off.", {
        hint: "Turn it on and save the form first.",
      });
    }
    revalidatePath("/settings");
    if (result.error) {
      throw new AppError("unavailable", `The collector did not take the events: ${result.error}.`, {
        hint: "Check the collector's address, port and transport, and that the panel's machine may reach it. Nothing is lost: the events wait and are retried.",
      });
    }
    return { sent: result.sent, pending: result.pending };
  });
}
