"use server";

import { revalidatePath } from "next/cache";
import { authorize, confirmStepUp, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { env } from "@/lib/env";
import { runAction, type ActionResult } from "@/lib/server/actions";
import { addHost, deleteHost, forgetHostFingerprint, updateHost } from "@/lib/server/hosts/manage-hosts";
import { duplicateEngineMessage, refreshHost } from "@/lib/server/hosts/snapshot";
import { keyRing } from "@/lib/server/secrets";
import { idArgument } from "@/lib/server/action-input";

/** Hosts: operators and admins add, edit and test; removing a host or forgetting its SSH key needs a key touch. */

export interface ConnectionReport {
  ok: boolean;
  message: string;
}

const TEST_OPTIONS = () => ({ timeoutMs: 15_000, measureDisk: true, helperImages: env().PANEL_HELPER_IMAGES });

function report(outcome: Awaited<ReturnType<typeof refreshHost>>): ConnectionReport {
  if (!outcome.ok) {
    return { ok: false, message: `${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ""}` };
  }
  const s = outcome.snapshot;
  return {
    ok: true,
    message: `Docker ${s.engine.version} (API ${s.engine.apiVersion}) on ${s.engine.operatingSystem}, ${s.containers.length} container(s).`,
  };
}

async function test(hostId: string): Promise<ConnectionReport> {
  const outcome = await refreshHost(db(), keyRing(), hostId, TEST_OPTIONS());
  if (outcome.ok && outcome.duplicateOf) return { ok: false, message: duplicateEngineMessage(outcome.duplicateOf) };
  return report(outcome);
}

export async function createHostAction(
  input: Record<string, unknown>,
): Promise<ActionResult<{ id: string; report: ConnectionReport }>> {
  return runAction(async () => {
    const operator = await authorize("hosts.manage", "host.create");
    const { id, outcome } = await addHost(
      db(),
      keyRing(),
      { ...operator, securityKeyId: operator.securityKeyId },
      input,
      await requestContext(),
      TEST_OPTIONS(),
    );
    revalidatePath("/hosts");
    return { id, report: report(outcome) };
  });
}

export async function updateHostAction(
  hostId: string,
  input: Record<string, unknown>,
): Promise<ActionResult<ConnectionReport>> {
  return runAction(async () => {
    const operator = await authorize("hosts.manage", "host.update");
    await updateHost(db(), keyRing(), operator, hostId, input, await requestContext());
    const report = await test(hostId);
    revalidatePath("/hosts");
    revalidatePath(`/hosts/${hostId}`);
    return report;
  });
}

export async function testHostAction(hostId: string): Promise<ActionResult<ConnectionReport>> {
  return runAction(async () => {
    await authorize("hosts.manage", "host.test");
    const id = idArgument(hostId, "host");
    const report = await test(id);
    revalidatePath(`/hosts/${id}`);
    return report;
  });
}

export async function deleteHostAction(params: { hostId: string }, stepUp: string): Promise<ActionResult> {
  return runAction(async () => {
    const operator = await authorize("hosts.manage", "host.delete");
    const { securityKeyId } = await confirmStepUp(operator, "host.delete", params, stepUp);
    await deleteHost(db(), { ...operator, securityKeyId }, params.hostId, await requestContext());
    revalidatePath("/hosts");
    return null;
  });
}

export async function forgetFingerprintAction(params: { hostId: string }, stepUp: string): Promise<ActionResult> {
  return runAction(async () => {
    const operator = await authorize("hosts.manage", "host.forget_fingerprint");
    const { securityKeyId } = await confirmStepUp(operator, "host.forget_fingerprint", params, stepUp);
    await forgetHostFingerprint(db(), { ...operator, securityKeyId }, params.hostId, await requestContext());
    revalidatePath(`/hosts/${params.hostId}`);
    return null;
  });
}
