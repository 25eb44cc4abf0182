import { openInstanceSecrets, sealInstanceSecrets } from "./instance-secrets";
import type { Actor, RequestContext } from "../../kernel";
import type { KeyRing } from "../../crypto";
import { inspectContainer, toDockerError } from "../../docker";
import { AppError } from "../../errors";
import { requestedBy, withAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { API_KEY_PATTERN, fetchUsage, type Usage } from "./usage";
import { msg } from "../../i18n/message";

/**
 * Set (or remove, with null) the eLabFTW API key the panel uses for usage
 * figures. A key is tried against the instance before it is kept: a key
 * eLabFTW refuses is not stored. Kept encrypted with the instance's other
 * secrets, never shown again.
 */
export async function setInstanceApiKey(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  instanceId: string,
  raw: unknown,
  context: RequestContext,
): Promise<Usage | null> {
  const apiKey = raw === null ? null : typeof raw === "string" ? raw.trim() : "";
  if (apiKey !== null && !API_KEY_PATTERN.test(apiKey)) {
    throw new AppError("bad_input", "API key must look like eLabFTW's: a number, a dash, then the hexadecimal key.", {
      hint: "Copy it whole from eLabFTW (user settings → API keys, read-only is enough); nothing was saved.",
    });
  }
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    select: { id: true, name: true, unitId: true, webHostId: true, webContainerName: true, secretsEnc: true },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  let usage: Usage | null = null;
  if (apiKey) {
    const client = await clientFor(db, ring, instance.webHostId);
    let web;
    try {
      web = await inspectContainer(client, instance.webContainerName);
    } catch (error) {
      throw toDockerError(error, client.host, `Reading ${instance.webContainerName}`);
    }
    if (!web.state.running) {
      throw new AppError(
        "precondition_failed",
        msg`The web container ${web.name} is not running, so the key cannot be tried.`,
        {
          hint: "Start the instance, then set the key again; nothing was saved.",
        },
      );
    }
    const tried = await fetchUsage(client, web, apiKey);
    if (!tried.usage) {
      throw new AppError("bad_input", msg`The key was not kept: ${tried.error}`, { hint: "Nothing was saved." });
    }
    usage = tried.usage;
  }
  const secrets = { ...openInstanceSecrets(ring, instance), apiKey: apiKey || undefined };
  await withAuditEvent(
    db,
    (tx) =>
      tx.instance.update({
        where: { id: instance.id },
        data: { secretsEnc: sealInstanceSecrets(ring, instance.id, secrets) },
      }),
    () => ({
      ...requestedBy(actor, context),
      action: apiKey ? "instance.api_key_set" : "instance.api_key_removed",
      outcome: "success",
      target: { type: "instance", id: instance.id },
      instanceId: instance.id,
      unitId: instance.unitId,
      params: { name: instance.name },
    }),
  );
  return usage;
}
