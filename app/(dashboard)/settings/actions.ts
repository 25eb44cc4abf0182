"use server";

import { revalidatePath } from "next/cache";
import { authorize, confirmStepUp, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { AppError } from "@/lib/errors";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { checkMailSettings, saveMailSettings, storedMailer } from "@/lib/server/alerts/mail-settings";
import { operatorActor, recordAuditEvent } from "@/lib/server/audit/record-audit-event";
import { keyRing } from "@/lib/server/secrets";
import { translatorFor } from "@/lib/i18n/translator";
import { checkSyslogSettings, forwardAuditEvents, saveSyslogSettings } from "@/lib/server/audit/syslog";
import { hostname } from "node:os";

/** Check a settings form's values before the key touch is asked for (nothing is saved). */
export async function checkSettingsAction(
  kind: "mail" | "syslog",
  input: Record<string, unknown>,
): Promise<ActionResult<null>> {
  return runAction(async () => {
    await authorize("settings.manage", `settings.${kind === "mail" ? "mail" : "syslog"}_check`);
    if (kind === "mail") checkMailSettings(input);
    else if (kind === "syslog") checkSyslogSettings(input);
    else throw new AppError("bad_input", "This is not a settings form of the panel.", { hint: "Reload the page." });
    return null;
  });
}

/** Save the mail server used for alerts (checked; the password sealed, kept when left empty). */
export async function saveMailSettingsAction(
  input: Record<string, unknown>,
  stepUp: string,
): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("settings.manage", "settings.mail");
    // Where alerts go is a dangerous setting: a touch bound to these very values.
    const { securityKeyId } = await confirmStepUp(operator, "settings.update", input, stepUp);
    await saveMailSettings(db(), keyRing(), { ...operator, securityKeyId }, input, await requestContext());
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
export async function saveSyslogSettingsAction(
  input: Record<string, unknown>,
  stepUp: string,
): Promise<ActionResult<null>> {
  return runAction(async () => {
    const operator = await authorize("settings.manage", "settings.syslog");
    // Where every audit event is sent: a touch bound to these very values.
    const { securityKeyId } = await confirmStepUp(operator, "settings.update", input, stepUp);
    await saveSyslogSettings(db(), { ...operator, securityKeyId }, input, await requestContext());
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
