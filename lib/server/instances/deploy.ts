import type { Actor, RequestContext } from "../../kernel";
import { type KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import { createUnit } from "../units/manage-units";
import type { Db } from "../db/client";
import { createOperation, type StepDefinition, type SendJob } from "../operations/journal";
import { defineOperation } from "../operations/define";
import { deployPlanSchema, type DeployPlan } from "./deploy-plan";
import { deployEnv, type DeployStepBody } from "./deploy-steps/env";
import { checkStep } from "./deploy-steps/check";
import { pullStep } from "./deploy-steps/pull";
import { secretsStep } from "./deploy-steps/secrets";
import { networkStep } from "./deploy-steps/network";
import { databaseStep } from "./deploy-steps/database";
import { databaseReadyStep } from "./deploy-steps/database-ready";
import { webStep } from "./deploy-steps/web";
import { installStep } from "./deploy-steps/install";
import { healthStep } from "./deploy-steps/health";
import { registerStep } from "./deploy-steps/register";
import { storeSecrets, type DeployOptions, type DeployResults } from "./deploy-steps/support";
export {
  MANAGED_LABEL,
  operationSecretsContext,
  parseGeneratedKey,
  type DeployOptions,
  type DeploySecrets,
} from "./deploy-steps/support";

/**
 * Deploying a new instance, as a journaled operation: every step writes what
 * it is about to create before creating it, removes its own half-made work
 * when it fails, and knows how to undo itself when a later step fails, so a
 * failed deployment leaves the hosts as they were. Secure defaults of the
 * reference installation: capabilities dropped, no-new-privileges,
 * generated passwords and SECRET_KEY, restart unless-stopped, a dedicated
 * network, labels marking what the panel made.
 */
export const DEPLOY_STEPS = [
  { key: "check", title: "Check the hosts and names" },
  { key: "pull", title: "Download the images" },
  { key: "secrets", title: "Generate the secret key and passwords" },
  { key: "network", title: "Create the network" },
  { key: "database", title: "Start the database" },
  { key: "database_ready", title: "Wait for the database" },
  { key: "web", title: "Start eLabFTW" },
  { key: "install", title: "Create the database schema" },
  { key: "health", title: "Check that eLabFTW answers" },
  { key: "register", title: "Add it to the inventory" },
] as const;

/** An external database needs its user's password; a new container gets a generated one. */
export function assertDeploySecrets(
  plan: DeployPlan,
  externalPassword: unknown,
): asserts externalPassword is string | undefined {
  if (externalPassword !== undefined && (typeof externalPassword !== "string" || externalPassword.length > 1024)) {
    throw new AppError("bad_input", "Database password must be text of at most 1024 characters.", {
      hint: "Check it; nothing was deployed.",
    });
  }
  if (plan.database.placement === "external" && !externalPassword) {
    throw new AppError("bad_input", "Database password is needed for an external database server.", {
      hint: "Enter the password of the database user; nothing was deployed.",
    });
  }
}

/** Record the deployment request: the operation, its pending steps and (external database) its sealed password. */
export async function requestDeploy(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  plan: DeployPlan,
  externalPassword: string | undefined,
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  assertDeploySecrets(plan, externalPassword);
  if (plan.newUnit) {
    const unit = await createUnit(db, actor, plan.newUnit, context);
    plan = { ...plan, unitId: unit.id, newUnit: null };
  }
  const operationId = await createOperation(
    db,
    {
      operation: deployOperation,
      hostId: plan.webHostId,
      requestedById: actor.id,
      params: plan,
      steps: [...DEPLOY_STEPS],
    },
    async (tx, operationId) => {
      if (externalPassword) await storeSecrets(tx, ring, operationId, { dbPassword: externalPassword });
      await appendAuditEvent(tx, {
        actor: { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId },
        ip: context.ip,
        userAgent: context.userAgent,
        action: "instance.deploy",
        outcome: "success",
        target: { type: "operation", id: operationId },
        unitId: plan.unitId,
        params: {
          name: plan.name,
          version: plan.version,
          webHost: plan.webHostName,
          database:
            plan.database.placement === "container"
              ? `container on ${plan.database.hostName}`
              : `${plan.database.address}:${plan.database.port}`,
        },
      });
    },
    send,
  );
  return operationId;
}

/** The steps of one deployment, bound to its operation and plan. */
export function deploySteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: DeployPlan,
  options: DeployOptions = {},
): StepDefinition<DeployResults>[] {
  const env = deployEnv(db, ring, operationId, plan, options);
  const steps: Record<(typeof DEPLOY_STEPS)[number]["key"], DeployStepBody> = {
    check: checkStep(env),
    pull: pullStep(env),
    secrets: secretsStep(env),
    network: networkStep(env),
    database: databaseStep(env),
    database_ready: databaseReadyStep(env),
    web: webStep(env),
    install: installStep(env),
    health: healthStep(env),
    register: registerStep(env),
  };
  return DEPLOY_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

/** After the run: secrets no longer needed are wiped, and the outcome is in the audit trail. */
export async function finishDeploy(
  db: Db,
  operationId: string,
  plan: DeployPlan,
  outcome: "succeeded" | "failed" | "rolled_back",
): Promise<void> {
  const op = await db.operation.update({
    where: { id: operationId },
    data: { secretsEnc: null },
    select: { error: true, instanceId: true, requestedBy: { select: { id: true, email: true } } },
  });
  await recordAuditEvent(db, {
    actor: op.requestedBy
      ? { type: "operator", operatorId: op.requestedBy.id, label: op.requestedBy.email }
      : { type: "system", label: "deploy" },
    action: "instance.deployed",
    outcome: outcome === "succeeded" ? "success" : "failure",
    reason: outcome === "succeeded" ? null : outcome,
    target: { type: "operation", id: operationId },
    instanceId: op.instanceId,
    unitId: plan.unitId,
    params: { name: plan.name, version: plan.version, result: outcome },
  });
}

export const deployOperation = defineOperation({
  kind: "deploy",
  version: 1,
  params: deployPlanSchema,
  steps: (run) => deploySteps(run.db, run.ring, run.operationId, run.params, run.options.deploy),
  finish: (run, outcome) => finishDeploy(run.db, run.operationId, run.params, outcome),
});
