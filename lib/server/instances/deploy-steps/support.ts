import { randomBytes } from "node:crypto";
import { open, seal, type KeyRing } from "../../../crypto";
import { DockerError, removeContainer, removeVolume, type DockerClient } from "../../../docker";
import type { Db, Tx } from "../../db/client";
import { type StepContext } from "../../operations/journal";
import { type DeployPlan } from "../deploy-plan";
import { instanceSecretsSchema } from "../instance-secrets";
import type { z } from "zod";

export const MANAGED_LABEL = "net.paillasse.managed";

/** The secrets a deployment generates (or is given), sealed into its operation until it ends. */
const deploySecretsSchema = instanceSecretsSchema.pick({ dbPassword: true, mysqlRootPassword: true, secretKey: true });
export type DeploySecrets = z.infer<typeof deploySecretsSchema>;

export const operationSecretsContext = (operationId: string) => `operation:${operationId}:secrets`;

export async function storeSecrets(
  tx: Db | Tx,
  ring: KeyRing,
  operationId: string,
  secrets: DeploySecrets,
): Promise<void> {
  await tx.operation.update({
    where: { id: operationId },
    data: { secretsEnc: seal(ring, JSON.stringify(secrets), operationSecretsContext(operationId)) },
  });
}

export async function readSecrets(db: Db, ring: KeyRing, operationId: string): Promise<DeploySecrets> {
  const row = await db.operation.findUnique({
    where: { id: operationId },
    select: { secretsEnc: true },
  });
  if (!row?.secretsEnc) return {};
  return deploySecretsSchema.parse(JSON.parse(open(ring, row.secretsEnc, operationSecretsContext(operationId))));
}

export const password = () => randomBytes(24).toString("base64url");

/** `bin/init tools:genkey` prints one Defuse key: "def00000" then hex. */
export function parseGeneratedKey(stdout: string): string | null {
  return /^(def00000[0-9a-f]{64,})\s*$/m.exec(stdout)?.[1] ?? null;
}

export function labelsFor(plan: DeployPlan, operationId: string, role: "web" | "database") {
  return {
    [MANAGED_LABEL]: "true",
    "net.paillasse.instance": plan.name,
    "net.paillasse.role": role,
    "net.paillasse.operation": operationId,
  };
}

/** Remove a container and say so in the journal; a container already gone is fine. */
export async function removeIfPresent(client: DockerClient, ctx: StepContext, name: string) {
  try {
    await removeContainer(client, name, { force: true });
    await ctx.log(`Removed container ${name}.`);
  } catch (error) {
    if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
  }
}

export async function removeVolumeIfPresent(client: DockerClient, ctx: StepContext, name: string) {
  try {
    await removeVolume(client, name);
    await ctx.log(`Removed volume ${name}.`);
  } catch (error) {
    if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
  }
}

export const UNDONE = "See the log below; everything this deployment created has been removed.";

/** What the steps later steps read return, by key. */
export interface DeployResults {
  web: { containerId: string };
  install: { schema: number };
  [key: string]: unknown;
}

export interface DeployOptions {
  /** Seconds to wait for the database to become healthy, and for eLabFTW to answer. */
  databaseTimeoutMs?: number;
  healthTimeoutMs?: number;
}
