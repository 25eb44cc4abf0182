"use server";

import { z } from "zod";
import { db } from "@/lib/server/db/web";
import { env } from "@/lib/env";
import { defineAction, defineTouchAction, idOf } from "@/lib/server/define-action";
import { addHost, deleteHost, forgetHostFingerprint, updateHost } from "@/lib/server/hosts/manage-hosts";
import { duplicateEngineMessage, refreshHost } from "@/lib/server/hosts/snapshot";
import { keyRing } from "@/lib/server/secrets";
import { requestLocale } from "@/lib/server/request-locale";
import { localizeServerText } from "@/lib/i18n/server-messages";
import { msg } from "@/lib/i18n/message";

/** Hosts: operators and admins add, edit and test; removing a host or forgetting its SSH key needs a key touch. */

export interface ConnectionReport {
  ok: boolean;
  message: string;
}

const TEST_OPTIONS = () => ({ timeoutMs: 15_000, measureDisk: true, helperImages: env().PANEL_HELPER_IMAGES });

/** What the connection test found, in the reader's language. */
async function report(outcome: Awaited<ReturnType<typeof refreshHost>>): Promise<ConnectionReport> {
  const locale = await requestLocale();
  if (!outcome.ok) return { ok: false, message: localizeServerText(outcome.error.fullText, locale) };
  const s = outcome.snapshot;
  return {
    ok: true,
    message: localizeServerText(
      msg`Docker ${s.engine.version} (API ${s.engine.apiVersion}) on ${s.engine.operatingSystem}, ${s.containers.length} container(s).`,
      locale,
    ),
  };
}

async function test(hostId: string): Promise<ConnectionReport> {
  const outcome = await refreshHost(db(), keyRing(), hostId, TEST_OPTIONS());
  if (outcome.ok && outcome.duplicateOf) return { ok: false, message: duplicateEngineMessage(outcome.duplicateOf) };
  return await report(outcome);
}

export const createHostAction = defineAction(
  {
    name: "host.create",
    permission: "hosts.manage",
    args: [z.record(z.string(), z.unknown())],
    revalidate: ["/hosts"],
  },
  async ({ operator, args: [input], context }): Promise<{ id: string; report: ConnectionReport }> => {
    const { id, outcome } = await addHost(db(), keyRing(), operator, input, context, TEST_OPTIONS());
    return { id, report: await report(outcome) };
  },
);

export const updateHostAction = defineAction(
  {
    name: "host.update",
    permission: "hosts.manage",
    args: [idOf("host"), z.record(z.string(), z.unknown())],
    revalidate: ([hostId]) => ["/hosts", `/hosts/${hostId}`],
  },
  async ({ operator, args: [hostId, input], context }) => {
    await updateHost(db(), keyRing(), operator, hostId, input, context);
    return test(hostId);
  },
);

export const testHostAction = defineAction(
  { name: "host.test", permission: "hosts.manage", args: [idOf("host")], revalidate: ([id]) => [`/hosts/${id}`] },
  async ({ args: [id] }) => test(id),
);

export const deleteHostAction = defineTouchAction(
  {
    name: "host.delete",
    args: [z.object({ hostId: idOf("host") })],
    stepUp: { params: ([params]) => params },
    revalidate: ["/hosts"],
  },
  async ({ operator, args: [{ hostId }], context }) => {
    await deleteHost(db(), operator, hostId, context);
    return null;
  },
);

export const forgetFingerprintAction = defineTouchAction(
  {
    name: "host.forget_fingerprint",
    args: [z.object({ hostId: idOf("host") })],
    stepUp: { params: ([params]) => params },
    revalidate: ([{ hostId }]) => [`/hosts/${hostId}`],
  },
  async ({ operator, args: [{ hostId }], context }) => {
    await forgetHostFingerprint(db(), operator, hostId, context);
    return null;
  },
);
