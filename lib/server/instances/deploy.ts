import type { Actor, RequestContext } from "../../kernel";
import { randomBytes } from "node:crypto";
import { open, seal, type KeyRing } from "../../crypto";
import {
  createContainer,
  createNetwork,
  createVolume,
  DockerError,
  imageExists,
  inspectContainer,
  inspectImage,
  listContainers,
  listNetworks,
  listVolumes,
  removeContainer,
  removeNetwork,
  removeVolume,
  runToCompletion,
  startContainer,
  execCapture,
  type ContainerSpec,
  type DockerClient,
} from "../../docker";
import { AppError } from "../../errors";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import { createUnit } from "../units/manage-units";
import type { Db, Tx } from "../db/client";
import { hostClients } from "../hosts/clients";
import { pullWithProgress } from "../operations/pull-progress";
import { createOperation, type StepContext, type StepDefinition, type SendJob } from "../operations/journal";
import { defineOperation } from "../operations/define";
import { deployPlanSchema, MYSQL_IMAGE, WEB_CAPABILITIES, type DeployPlan } from "./deploy-plan";
import { instanceSecretsContext, instanceSecretsSchema } from "./instance-secrets";
import type { z } from "zod";
import { dbCheck, waitForHealth } from "./observe";
import { waitFor } from "../operations/wait-for";
import { englishText, msg } from "../../i18n/message";

/**
 * Deploying a new instance, as a journaled operation: every step writes what
 * it is about to create before creating it, removes its own half-made work
 * when it fails, and knows how to undo itself when a later step fails, so a
 * failed deployment leaves the hosts as they were. Secure defaults of the
 * reference installation: capabilities dropped, no-new-privileges,
 * generated passwords and SECRET_KEY, restart unless-stopped, a dedicated
 * network, labels marking what the panel made.
 */
export const MANAGED_LABEL = "net.paillasse.managed";

/** The secrets a deployment generates (or is given), sealed into its operation until it ends. */
const deploySecretsSchema = instanceSecretsSchema.pick({ dbPassword: true, mysqlRootPassword: true, secretKey: true });
export type DeploySecrets = z.infer<typeof deploySecretsSchema>;

export const operationSecretsContext = (operationId: string) => `operation:${operationId}:secrets`;

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

async function storeSecrets(tx: Db | Tx, ring: KeyRing, operationId: string, secrets: DeploySecrets): Promise<void> {
  await tx.operation.update({
    where: { id: operationId },
    data: { secretsEnc: seal(ring, JSON.stringify(secrets), operationSecretsContext(operationId)) },
  });
}

async function readSecrets(db: Db, ring: KeyRing, operationId: string): Promise<DeploySecrets> {
  const row = await db.operation.findUnique({
    where: { id: operationId },
    select: { secretsEnc: true },
  });
  if (!row?.secretsEnc) return {};
  return deploySecretsSchema.parse(JSON.parse(open(ring, row.secretsEnc, operationSecretsContext(operationId))));
}

const password = () => randomBytes(24).toString("base64url");

/** `bin/init tools:genkey` prints one Defuse key: "def00000" then hex. */
export function parseGeneratedKey(stdout: string): string | null {
  return /^(def00000[0-9a-f]{64,})\s*$/m.exec(stdout)?.[1] ?? null;
}

function labelsFor(plan: DeployPlan, operationId: string, role: "web" | "database") {
  return {
    [MANAGED_LABEL]: "true",
    "net.paillasse.instance": plan.name,
    "net.paillasse.role": role,
    "net.paillasse.operation": operationId,
  };
}

/** Remove a container and say so in the journal; a container already gone is fine. */
async function removeIfPresent(client: DockerClient, ctx: StepContext, name: string) {
  try {
    await removeContainer(client, name, { force: true });
    await ctx.log(`Removed container ${name}.`);
  } catch (error) {
    if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
  }
}

async function removeVolumeIfPresent(client: DockerClient, ctx: StepContext, name: string) {
  try {
    await removeVolume(client, name);
    await ctx.log(`Removed volume ${name}.`);
  } catch (error) {
    if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
  }
}

const UNDONE = "See the log below; everything this deployment created has been removed.";

/** What the steps later steps read return, by key. */
interface DeployResults {
  web: { containerId: string };
  install: { schema: number };
  [key: string]: unknown;
}

export interface DeployOptions {
  /** Seconds to wait for the database to become healthy, and for eLabFTW to answer. */
  databaseTimeoutMs?: number;
  healthTimeoutMs?: number;
}

/** The steps of one deployment, bound to its operation and plan. */
export function deploySteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: DeployPlan,
  options: DeployOptions = {},
): StepDefinition<DeployResults>[] {
  const client = hostClients(db, ring);
  const web = () => client(plan.webHostId);
  const dbPlan = plan.database;
  const dbClient = () => (dbPlan.placement === "container" ? client(dbPlan.hostId) : web());

  const steps: Record<(typeof DEPLOY_STEPS)[number]["key"], Omit<StepDefinition<DeployResults>, "key" | "title">> = {
    check: {
      async run(ctx) {
        await ctx.progress(2, "Checking the hosts");
        const w = await web();
        const refuse = (message: string, hint: string) => {
          throw new AppError("conflict", message, { hint: msg`${hint} Nothing was created.` });
        };
        const [containers, networks, volumes] = await Promise.all([
          listContainers(w, { all: true }),
          listNetworks(w),
          listVolumes(w),
        ]);
        if (containers.some((c) => c.name === plan.webContainer)) {
          refuse(
            `A container named ${plan.webContainer} already exists on ${plan.webHostName}.`,
            "Choose another name.",
          );
        }
        if (networks.some((n) => n.name === plan.network)) {
          refuse(`A network named ${plan.network} already exists on ${plan.webHostName}.`, "Choose another name.");
        }
        if (plan.uploads.kind === "volume" && volumes.some((v) => v.name === plan.uploads.source)) {
          refuse(
            `A volume named ${plan.uploads.source} already exists on ${plan.webHostName} and may hold someone's files.`,
            "Choose another uploads volume name.",
          );
        }
        const clash = containers.find((c) =>
          c.ports.some(
            (p) =>
              p.publicPort === plan.publish.port &&
              (!plan.publish.address || !p.ip || ["0.0.0.0", "::"].includes(p.ip) || p.ip === plan.publish.address),
          ),
        );
        if (clash) {
          refuse(
            `Port ${plan.publish.port} is already published by ${clash.name} on ${plan.webHostName}.`,
            "Choose another published port.",
          );
        }
        if (dbPlan.placement === "container") {
          const d = await dbClient();
          const [dbContainers, dbVolumes] = await Promise.all([listContainers(d, { all: true }), listVolumes(d)]);
          if (dbContainers.some((c) => c.name === dbPlan.container)) {
            refuse(
              `A container named ${dbPlan.container} already exists on ${dbPlan.hostName}.`,
              "Choose another name.",
            );
          }
          if (dbVolumes.some((v) => v.name === dbPlan.volume)) {
            refuse(
              `A volume named ${dbPlan.volume} already exists on ${dbPlan.hostName} and may hold a database.`,
              "Choose another name, or remove that volume after checking it.",
            );
          }
        }
        await ctx.log(
          `Names are free on ${plan.webHostName}${dbPlan.placement === "container" && !dbPlan.sameHost ? ` and ${dbPlan.hostName}` : ""}.`,
        );
      },
    },

    pull: {
      async run(ctx) {
        const pulls: { client: DockerClient; host: string; image: string; from: number; to: number }[] = [
          {
            client: await web(),
            host: plan.webHostName,
            image: plan.image,
            from: 5,
            to: dbPlan.placement === "container" ? 25 : 35,
          },
        ];
        if (dbPlan.placement === "container")
          pulls.push({ client: await dbClient(), host: dbPlan.hostName, image: MYSQL_IMAGE, from: 25, to: 35 });
        for (const p of pulls) {
          if (await imageExists(p.client, p.image)) {
            await ctx.log(`${p.image} is already on ${p.host}.`);
            continue;
          }
          await ctx.intent({ pulling: p.image, host: p.host });
          await ctx.log(`Downloading ${p.image} on ${p.host}…`);
          await pullWithProgress(p.client, p.image, ctx, {
            from: p.from,
            to: p.to,
            label: `Downloading ${p.image}`,
          });
          await ctx.log(`Downloaded ${p.image} on ${p.host}.`);
        }
        const image = await inspectImage(await web(), plan.image);
        if (image.elabftwVersion && image.elabftwVersion !== plan.version) {
          throw new AppError(
            "conflict",
            msg`The image ${plan.image} says it is eLabFTW ${image.elabftwVersion}, not ${plan.version}.`,
            { hint: "The registry's tag does not match its content; choose another version or check the registry." },
          );
        }
        await ctx.progress(35, "Images ready");
        return { imageId: image.id };
      },
    },

    secrets: {
      async run(ctx) {
        await ctx.log(`Running bin/init tools:genkey in a throw-away ${plan.image} container…`);
        const result = await runToCompletion(
          await web(),
          {
            Image: plan.image,
            Cmd: ["bin/init", "tools:genkey"],
            Labels: { [MANAGED_LABEL]: "true", "net.paillasse.helper": "genkey" },
            NetworkDisabled: true,
            HostConfig: { NetworkMode: "none", RestartPolicy: { Name: "no" } },
          },
          { timeoutMs: 120_000, maxLines: 50 },
        );
        const secretKey = parseGeneratedKey(result.stdout);
        if (result.exitCode !== 0 || !secretKey) {
          throw new AppError(
            "internal",
            msg`bin/init tools:genkey did not print a key (exit ${result.exitCode})${result.stderr ? `: ${result.stderr.trim().split("\n")[0]}` : ""}.`,
            { hint: "Check that the image is a genuine eLabFTW image." },
          );
        }
        const existing = await readSecrets(db, ring, operationId);
        await storeSecrets(db, ring, operationId, {
          ...existing,
          secretKey,
          ...(dbPlan.placement === "container" ? { dbPassword: password(), mysqlRootPassword: password() } : {}),
        });
        await ctx.log(
          dbPlan.placement === "container"
            ? "Generated SECRET_KEY, the database password and the MySQL root password (stored encrypted, never shown)."
            : "Generated SECRET_KEY (stored encrypted, never shown).",
        );
        await ctx.progress(40);
        return {
          generated:
            dbPlan.placement === "container" ? ["SECRET_KEY", "DB_PASSWORD", "MYSQL_ROOT_PASSWORD"] : ["SECRET_KEY"],
        };
      },
    },

    network: {
      async run(ctx) {
        await ctx.intent({ create: plan.network, host: plan.webHostName });
        await createNetwork(await web(), plan.network, {
          labels: { [MANAGED_LABEL]: "true", "net.paillasse.instance": plan.name },
        });
        await ctx.log(`Created network ${plan.network} on ${plan.webHostName}.`);
      },
      async compensate(ctx) {
        try {
          await removeNetwork(await web(), plan.network);
          await ctx.log(`Removed network ${plan.network}.`);
        } catch (error) {
          if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
        }
      },
    },

    database: {
      async run(ctx) {
        if (dbPlan.placement === "external") {
          await ctx.log(`External database ${dbPlan.address}:${dbPlan.port}: nothing to create.`);
          return;
        }
        const secrets = await readSecrets(db, ring, operationId);
        const d = await dbClient();
        await ctx.intent({ create: [dbPlan.volume, dbPlan.container], host: dbPlan.hostName });
        try {
          await createVolume(d, dbPlan.volume, labelsFor(plan, operationId, "database"));
          const spec: ContainerSpec = {
            name: dbPlan.container,
            image: MYSQL_IMAGE,
            env: {
              MYSQL_ROOT_PASSWORD: secrets.mysqlRootPassword!,
              MYSQL_DATABASE: dbPlan.name,
              MYSQL_USER: dbPlan.user,
              MYSQL_PASSWORD: secrets.dbPassword!,
              TZ: plan.timeZone,
            },
            labels: labelsFor(plan, operationId, "database"),
            healthcheck: {
              test: ["CMD-SHELL", 'mysql --user=$MYSQL_USER --password=$MYSQL_PASSWORD --execute "SHOW DATABASES;"'],
              intervalMs: 5_000,
              timeoutMs: 5_000,
              retries: 12,
            },
            volumes: { [dbPlan.volume]: "/var/lib/mysql" },
            restartPolicy: "unless-stopped",
            securityOpt: ["no-new-privileges:true"],
            ...(dbPlan.sameHost
              ? { network: { name: plan.network, aliases: ["mysql"] } }
              : {
                  exposedPorts: ["3306/tcp"],
                  portBindings: { "3306/tcp": [{ hostIp: dbPlan.address, hostPort: String(dbPlan.port) }] },
                }),
          };
          await createContainer(d, spec);
          await startContainer(d, dbPlan.container);
        } catch (error) {
          await removeIfPresent(d, ctx, dbPlan.container);
          await removeVolumeIfPresent(d, ctx, dbPlan.volume);
          throw error;
        }
        await ctx.log(
          `Started ${dbPlan.container} (${MYSQL_IMAGE}) on ${dbPlan.hostName}, data in volume ${dbPlan.volume}.`,
        );
        await ctx.progress(45);
      },
      async compensate(ctx) {
        if (dbPlan.placement === "external") return;
        const d = await dbClient();
        await removeIfPresent(d, ctx, dbPlan.container);
        await removeVolumeIfPresent(d, ctx, dbPlan.volume);
      },
    },

    database_ready: {
      async run(ctx) {
        if (dbPlan.placement === "external") {
          await ctx.log("External database: checked when the schema is created.");
          return;
        }
        const d = await dbClient();
        await waitFor(
          `${dbPlan.container} becoming healthy`,
          {
            timeoutMs: options.databaseTimeoutMs ?? 180_000,
            hint: UNDONE,
            onWait: (elapsed, detail) =>
              ctx.progress(45 + Math.min(10, elapsed / 10_000), `Waiting for the database (${detail})`),
          },
          async () => {
            const c = await inspectContainer(d, dbPlan.container);
            if (!c.state.running) {
              throw new AppError("unavailable", msg`${dbPlan.container} stopped (exit code ${c.state.exitCode}).`, {
                hint: msg`See its logs on the host. ${UNDONE}`,
              });
            }
            return c.state.health === "healthy"
              ? { done: true as const, value: null }
              : { done: false as const, detail: `health is ${c.state.health}` };
          },
        );
        await ctx.log(`${dbPlan.container} is healthy.`);
        await ctx.progress(55);
      },
    },

    web: {
      async run(ctx) {
        const secrets = await readSecrets(db, ring, operationId);
        const w = await web();
        await ctx.intent({
          create: [plan.webContainer, ...(plan.uploads.kind === "volume" ? [plan.uploads.source] : [])],
          host: plan.webHostName,
        });
        try {
          if (plan.uploads.kind === "volume")
            await createVolume(w, plan.uploads.source, labelsFor(plan, operationId, "web"));
          const spec: ContainerSpec = {
            name: plan.webContainer,
            image: plan.image,
            env: {
              DB_HOST: dbPlan.address,
              DB_PORT: String(dbPlan.port),
              DB_NAME: dbPlan.name,
              DB_USER: dbPlan.user,
              DB_PASSWORD: secrets.dbPassword!,
              SECRET_KEY: secrets.secretKey!,
              SITE_URL: plan.siteUrl,
              SERVER_NAME: plan.serverName,
              DISABLE_HTTPS: plan.https ? "false" : "true",
              ENABLE_LETSENCRYPT: "false",
              PHP_TIMEZONE: plan.timeZone,
              TZ: plan.timeZone,
            },
            labels: labelsFor(plan, operationId, "web"),
            exposedPorts: ["443/tcp"],
            portBindings: { "443/tcp": [{ hostIp: plan.publish.address, hostPort: String(plan.publish.port) }] },
            ...(plan.uploads.kind === "bind"
              ? { binds: [`${plan.uploads.source}:/elabftw/uploads`] }
              : { volumes: { [plan.uploads.source]: "/elabftw/uploads" } }),
            restartPolicy: "unless-stopped",
            capDrop: ["ALL"],
            capAdd: WEB_CAPABILITIES,
            securityOpt: ["no-new-privileges:true"],
            network: { name: plan.network },
          };
          await createContainer(w, spec);
          await startContainer(w, plan.webContainer);
        } catch (error) {
          await removeIfPresent(w, ctx, plan.webContainer);
          if (plan.uploads.kind === "volume") await removeVolumeIfPresent(w, ctx, plan.uploads.source);
          throw error;
        }
        const started = await inspectContainer(w, plan.webContainer);
        await ctx.log(
          `Started ${plan.webContainer} (${plan.image}) on ${plan.webHostName}, port ${plan.publish.address || "all addresses"}:${plan.publish.port} → 443.`,
        );
        await ctx.progress(65);
        return { containerId: started.id };
      },
      async compensate(ctx) {
        const w = await web();
        await removeIfPresent(w, ctx, plan.webContainer);
        if (plan.uploads.kind === "volume") await removeVolumeIfPresent(w, ctx, plan.uploads.source);
      },
    },

    install: {
      async run(ctx) {
        const w = await web();
        await ctx.log("Running bin/init db:install…");
        const result = await execCapture(w, plan.webContainer, { cmd: ["bin/init", "db:install"] });
        for (const line of `${result.stdout}\n${result.stderr}`.split("\n").filter((l) => l.trim())) {
          await ctx.log(line.trim());
        }
        const created = /Database structure created/.test(result.stdout);
        const present = /Database structure already present/.test(result.stdout);
        if (result.exitCode !== 0 || (!created && !present)) {
          throw new AppError(
            "unavailable",
            msg`bin/init db:install failed (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().split("\n").filter(Boolean).at(-1) ?? "no output"}.`,
            { hint: "Check that the database accepts this user and password from the web host." },
          );
        }
        if (present && dbPlan.placement === "external") {
          throw new AppError("conflict", "The external database already holds an eLabFTW schema.", {
            hint: "A deployment needs an empty database. To bring an existing installation in, adopt it (host page → Discover) or restore a backup.",
          });
        }
        const schema = await dbCheck(w, await inspectContainer(w, plan.webContainer));
        await ctx.log(`bin/console db:check: ${englishText(schema.detail)}.`);
        if (!("upToDate" in schema) || !schema.upToDate) {
          throw new AppError("internal", msg`After db:install, ${schema.detail}.`, {
            hint: "The image and its database disagree; see the log.",
          });
        }
        await ctx.progress(80);
        return { schema: schema.current };
      },
    },

    health: {
      async run(ctx) {
        const w = await web();
        await waitForHealth(w, await inspectContainer(w, plan.webContainer), {
          timeoutMs: options.healthTimeoutMs ?? 120_000,
          hint: UNDONE,
          onWait: (elapsed, detail) =>
            ctx.progress(80 + Math.min(10, elapsed / 10_000), `Waiting for eLabFTW (${detail})`),
        });
        await ctx.log("/healthcheck.php answered ok from inside the web container.");
        await ctx.progress(92);
      },
    },

    register: {
      async run(ctx) {
        const secrets = await readSecrets(db, ring, operationId);
        const webResult = ctx.result("web");
        const schema = ctx.resultIfAny("install")?.schema ?? null;
        const instance = await db.$transaction(async (tx) => {
          const created = await tx.instance.create({
            data: {
              name: plan.name,
              unitId: plan.unitId,
              webHostId: plan.webHostId,
              webContainerName: plan.webContainer,
              webContainerId: webResult.containerId,
              databasePlacement: dbPlan.placement,
              databaseHostId: dbPlan.placement === "container" ? dbPlan.hostId : null,
              databaseContainerName: dbPlan.placement === "container" ? dbPlan.container : null,
              databaseAddress: dbPlan.placement === "external" ? dbPlan.address : null,
              databasePort: dbPlan.port,
              databaseName: dbPlan.name,
              databaseUser: dbPlan.user,
              databaseTls: false,
              imageRepository: plan.repository,
              imageTag: plan.version,
              elabftwVersion: plan.version,
              schemaVersion: schema,
              siteUrl: plan.siteUrl,
              uploadsKind: plan.uploads.kind,
              uploadsSource: plan.uploads.source,
              state: "running",
              health: "ok",
            },
          });
          await tx.instance.update({
            where: { id: created.id },
            data: { secretsEnc: seal(ring, JSON.stringify(secrets), instanceSecretsContext(created.id)) },
          });
          await tx.operation.update({ where: { id: operationId }, data: { instanceId: created.id, secretsEnc: null } });
          return created;
        });
        await ctx.log(`Added ${plan.name} to the inventory under ${plan.unitCode}.`);
        return { instanceId: instance.id, registerUrl: `${plan.siteUrl}/register.php` };
      },
      async compensate() {
        await db.instance.deleteMany({
          where: { name: plan.name, webHostId: plan.webHostId, webContainerName: plan.webContainer },
        });
      },
    },
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
