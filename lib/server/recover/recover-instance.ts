import { z } from "zod";
import {
  connectNetwork,
  createContainer,
  createNetwork,
  DockerError,
  envToRecord,
  imageExists,
  inspectContainer,
  listNetworks,
  listVolumes,
  pullImage,
  removeContainer,
  removeNetwork,
  removeVolume,
  startContainer,
  type DockerClient,
} from "../../docker";
import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import type { Actor, RequestContext } from "../../kernel";
import { appendAuditEvent, recordAuditEvent } from "../audit/record-audit-event";
import { ensureDatabaseAndUser, loadThrough, waitForDatabaseServer } from "../backups/restore-target";
import type { Db } from "../db/client";
import { hostClients } from "../hosts/clients";
import { registerDiscovered } from "../instances/discover-instances";
import { dbCheck, waitForHealth } from "../instances/observe";
import { defineOperation } from "../operations/define";
import { createOperation, type SendJob, type StepContext, type StepDefinition } from "../operations/journal";
import { loadRepository } from "../repositories/repositories";
import { snapshotFileSize } from "../repositories/snapshot-tree";
import {
  listSnapshots,
  readSnapshotText,
  restoreUploads,
  snapshotFileStream,
  SNAPSHOT_DATABASE,
  SNAPSHOT_INSTANCE,
} from "../repositories/snapshots";
import { instanceName, parseInput } from "../validation";
import {
  networkNames,
  parseInstanceDefinition,
  recreateBody,
  volumeNames,
  type ContainerDefinition,
  type InstanceDefinition,
} from "./instance-definition";
import { releaseTraits, uploadsMountOf } from "../instances/elabftw-releases";
import { resticImage } from "../repositories/restic";
import { removeWrittenFiles, writeComposeBack } from "./compose-restore";

/**
 * Recovering an instance elsewhere from one restore point (a restic snapshot): on a host the
 * operator picks, the panel re-creates the networks, the database container (from instance.json,
 * so with the same passwords), loads the dump, re-creates the web container (the same SECRET_KEY;
 * the site URL and published port as the operator says), puts the uploads back, starts it, checks
 * its schema and health, and adds it to the inventory. Everything it created is removed again if a
 * step fails. The repository can be one the panel already used, or one added from a recovery kit
 * into a freshly installed panel.
 */
export const RECOVER_STEPS = [
  { key: "check", title: "Read the restore point and check the target host" },
  { key: "pull", title: "Download the images" },
  { key: "network", title: "Create the networks" },
  { key: "compose", title: "Put the compose file back" },
  { key: "database", title: "Re-create the database container" },
  { key: "load", title: "Load the dump" },
  { key: "web", title: "Re-create the web container" },
  { key: "uploads", title: "Put the uploads back" },
  { key: "start", title: "Start eLabFTW and check it" },
  { key: "register", title: "Add it to the inventory" },
] as const;

const snapshotId = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8,64}$/, { message: "must be a snapshot ID (8 to 64 hexadecimal characters)" });

export const recoverPlanSchema = z.object({
  repositoryId: z.string().uuid({ message: "must be chosen" }),
  snapshotId,
  hostId: z.string().uuid({ message: "must be chosen" }),
  unitId: z.string().uuid({ message: "must be chosen" }),
  name: instanceName,
  siteUrl: z
    .string()
    .trim()
    .url({ message: "must be the address users type, e.g. https://elab.unit.example" })
    .refine((u) => /^https?:\/\//.test(u), { message: "must start with https:// or http://" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  publishedPort: z.coerce
    .number({ message: "must be a port number" })
    .int({ message: "must be a port number" })
    .min(1, { message: "must be a port number" })
    .max(65535, { message: "must be a port number" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
});
export type RecoverPlan = z.infer<typeof recoverPlanSchema>;

const LABEL = {
  repositoryId: "Repository",
  snapshotId: "Restore point",
  hostId: "Target host",
  unitId: "Unit",
  name: "Name",
  siteUrl: "Site URL",
  publishedPort: "Published port",
};

export interface RecoverOptions {
  healthTimeoutMs?: number;
  databaseTimeoutMs?: number;
}

/** Record a recovery (checked against the inventory first); the workers run it. */
export async function requestRecover(
  db: Db,
  actor: Actor,
  raw: unknown,
  context: RequestContext,
  send?: SendJob,
): Promise<string> {
  const plan = parseInput(recoverPlanSchema, raw, LABEL, "Correct it; nothing was recovered.");
  const [repository, host, unit, taken] = await Promise.all([
    db.backupRepository.findUnique({ where: { id: plan.repositoryId }, select: { name: true } }),
    db.dockerHost.findUnique({ where: { id: plan.hostId }, select: { name: true } }),
    db.unit.findUnique({ where: { id: plan.unitId }, select: { code: true } }),
    db.instance.findUnique({ where: { name: plan.name }, select: { id: true } }),
  ]);
  if (!repository)
    throw new AppError("not_found", "This backup repository is not in the inventory.", { hint: "Reload the page." });
  if (!host) throw new AppError("not_found", "This host is no longer in the panel.", { hint: "Reload the page." });
  if (!unit)
    throw new AppError("bad_input", "This unit no longer exists.", { hint: "Reload the page and pick a unit." });
  if (taken) {
    throw new AppError("conflict", msg`An instance named “${plan.name}” is already in the inventory.`, {
      hint: "Choose another name; nothing was recovered.",
    });
  }
  return createOperation(
    db,
    {
      operation: recoverOperation,
      hostId: plan.hostId,
      requestedById: actor.id,
      params: plan,
      steps: [...RECOVER_STEPS],
    },
    (tx, operationId) =>
      appendAuditEvent(tx, {
        actor: { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId },
        ip: context.ip,
        userAgent: context.userAgent,
        action: "instance.recover",
        outcome: "success",
        target: { type: "operation", id: operationId },
        unitId: plan.unitId,
        params: {
          name: plan.name,
          repository: repository.name,
          snapshot: plan.snapshotId.slice(0, 8),
          host: host.name,
          unit: unit.code,
        },
      }),
    send,
  );
}

type Body = Omit<StepDefinition, "key" | "title">;

/** The password eLabFTW connects with (its DB_PASSWORD), as instance.json recorded it. */
function databasePassword(def: InstanceDefinition): string {
  const password =
    envToRecord(def.web.createSpec.Env as string[] | undefined).DB_PASSWORD ??
    envToRecord(def.database!.createSpec.Env as string[] | undefined).MYSQL_PASSWORD;
  if (!password) {
    throw new AppError("precondition_failed", "instance.json holds no database password (DB_PASSWORD).", {
      hint: "Restore it by hand with the recovery kit's commands; everything the recovery created is being removed.",
    });
  }
  return password;
}

/** What the steps share: the target host's client, the repository, and instance.json read once a run. */
function recoverEnv(db: Db, ring: KeyRing, operationId: string, plan: RecoverPlan, options: RecoverOptions) {
  const clients = hostClients(db, ring);
  const client = () => clients(plan.hostId);
  const repository = () => loadRepository(db, ring, plan.repositoryId);
  let definition: Promise<InstanceDefinition> | null = null;
  const read = () =>
    (definition ??= (async () => {
      const text = await readSnapshotText(await client(), await repository(), plan.snapshotId, SNAPSHOT_INSTANCE);
      return parseInstanceDefinition(text, plan.snapshotId);
    })().catch((error: unknown) => {
      definition = null;
      throw error;
    }));
  return { db, ring, operationId, plan, options, client, repository, read };
}
type RecoverEnv = ReturnType<typeof recoverEnv>;

const removeIfThere = async (what: Promise<void>) => {
  try {
    await what;
  } catch (error) {
    if (!(error instanceof DockerError && error.failure === "not_found")) throw error;
  }
};

function checkStep({ db, plan, client, repository, read }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const repo = await repository();
      const c = await client();
      const found = (await listSnapshots(c, repo)).find((s) => s.id.startsWith(plan.snapshotId));
      if (!found) {
        throw new AppError("not_found", msg`Repository ${repo.name} has no snapshot ${plan.snapshotId.slice(0, 8)}.`, {
          hint: "Pick a restore point from the list again; nothing was created.",
        });
      }
      const def = await read();
      await ctx.log(
        `Restore point ${found.id.slice(0, 8)} of ${def.instance.name} (unit ${def.instance.unit}), taken ${found.time}: eLabFTW ${def.instance.elabftwVersion ?? "?"} on ${def.web.image}, database ${def.database!.image}.`,
      );
      // Nothing of the same name may be there already: the panel never takes over or overwrites what it did not create.
      for (const container of [def.web, def.database!]) {
        const existing = await inspectContainer(c, container.name).catch(() => null);
        if (existing) {
          throw new AppError("conflict", msg`${c.host} already has a container named ${container.name}.`, {
            hint: "Pick another host, or remove or rename that container first; nothing was created.",
          });
        }
      }
      const volumes = new Set((await listVolumes(c)).map((v) => v.name));
      for (const v of [...volumeNames(def.web), ...volumeNames(def.database!)]) {
        if (volumes.has(v)) {
          throw new AppError(
            "conflict",
            msg`${c.host} already has a volume named ${v}: it may hold another instance's data.`,
            {
              hint: "Pick another host, or remove that volume after checking what it holds; nothing was created.",
            },
          );
        }
      }
      if (await db.instance.findUnique({ where: { name: plan.name }, select: { id: true } })) {
        throw new AppError("conflict", msg`An instance named “${plan.name}” is already in the inventory.`, {
          hint: "Choose another name; nothing was created.",
        });
      }
      return { snapshotId: found.id, instance: def.instance.name, version: def.instance.elabftwVersion ?? null };
    },
  };
}

function pullStep({ client, read }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      for (const image of [...new Set([def.database!.image, def.web.image])]) {
        if (await imageExists(c, image)) {
          await ctx.log(`${image} is already on ${c.host}.`);
          continue;
        }
        await ctx.log(`Pulling ${image} on ${c.host}.`);
        await pullImage(c, image);
      }
      await ctx.progress(15);
    },
  };
}

function networkStep({ client, read }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      const wanted = [...new Set([...networkNames(def.web), ...networkNames(def.database!)])];
      const existing = new Set((await listNetworks(c)).map((n) => n.name));
      const created = wanted.filter((n) => !existing.has(n));
      await ctx.intent({ created });
      for (const name of created) {
        await createNetwork(c, name, {
          labels: { "net.paillasse.managed": "true", "net.paillasse.instance": def.instance.name },
        });
      }
      await ctx.log(
        created.length
          ? `Created the network${created.length > 1 ? "s" : ""} ${created.join(", ")} on ${c.host}.`
          : `The networks ${wanted.join(", ") || "(none)"} are already there.`,
      );
      return { created };
    },
    async compensate(ctx) {
      const { created = [] } = await ctx.intentOf<{ created: string[] }>("network");
      const c = await client();
      for (const name of created) await removeIfThere(removeNetwork(c, name));
      if (created.length) await ctx.log(`Removed the networks ${created.join(", ")}.`);
    },
    compensateOnFailure: true,
  };
}

/**
 * The compose files as the restore point recorded them, back at their paths on the new host with the
 * operator's adjustments written in (never over another file): then the re-created containers keep
 * compose's labels and `docker compose` there manages them as before. Otherwise they go beside, and
 * the containers are the panel's alone; the journal says why.
 */
function composeStep({ client, read, plan }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const def = await read();
      const files = def.compose?.files ?? [];
      if (!def.compose?.service || !files.length) {
        await ctx.log(
          "The restore point records no compose file: the recovered containers are managed by the panel alone.",
        );
        return { claimed: false };
      }
      const c = await client();
      await ctx.intent({ writing: files.map((f) => f.path) });
      const stamp = plan.snapshotId.slice(0, 8);
      const containerPort = releaseTraits(def.instance.elabftwVersion)?.layout.containerPort ?? 443;
      const outcome = await writeComposeBack(
        c,
        resticImage(),
        { service: def.compose.service, files },
        { siteUrl: plan.siteUrl, publishedPort: plan.publishedPort },
        containerPort,
        stamp,
      );
      await ctx.intent({ written: outcome.written });
      if (outcome.claimed) {
        await ctx.log(
          `Put the compose file${files.length > 1 ? "s" : ""} back on ${c.host}: ${[...outcome.written.map((f) => `${f} (written${plan.siteUrl || plan.publishedPort ? ", with the new address" : ""})`), ...outcome.identical.map((f) => `${f} (already there, identical)`)].join(", ")}. The containers keep their compose labels: docker compose there manages them as before.`,
        );
      } else {
        await ctx.log(
          `The compose file${files.length > 1 ? "s were" : " was"} not put back in place (${outcome.reason})${outcome.written.length ? `; written beside as ${outcome.written.join(", ")}` : ""}. The recovered containers carry no compose labels: the panel manages them; compare the file by hand before using docker compose there.`,
          "warn",
        );
      }
      return { claimed: outcome.claimed };
    },
    async compensate(ctx) {
      const { written = [] } = await ctx.intentOf<{ written: string[] }>("compose");
      if (!written.length) return;
      await removeWrittenFiles(await client(), resticImage(), written);
      await ctx.log(`Removed ${written.join(", ")}, written by this recovery.`);
    },
    compensateOnFailure: true,
  };
}

/** Whether the compose step put the files back in place (the containers then keep compose's labels). */
const composeClaimed = (ctx: StepContext) =>
  (ctx as unknown as StepContext<{ compose: { claimed?: boolean } }>).resultIfAny("compose")?.claimed === true;

/** Create one container from its definition, joined to its other networks, and journal it for the undo. */
async function recreate(
  c: DockerClient,
  ctx: StepContext,
  def: ContainerDefinition,
  body: ReturnType<typeof recreateBody>,
): Promise<string> {
  await ctx.intent({ container: def.name, volumes: volumeNames(def) });
  const id = await createContainer(c, body);
  // Created on its first network; the others are joined now.
  for (const n of networkNames(def).slice(1)) {
    await connectNetwork(
      c,
      n,
      id,
      (def.networks[n]?.aliases ?? []).filter((a) => !/^[0-9a-f]{12}$/.test(a)),
    );
  }
  return id;
}

/** The undo of a container step: the container and the named volumes it created (they were checked absent). */
const removeRecreated = (key: string, client: () => Promise<DockerClient>) => async (ctx: StepContext) => {
  const { container, volumes = [] } = await ctx.intentOf<{ container: string; volumes: string[] }>(key);
  if (!container) return;
  const c = await client();
  await removeIfThere(removeContainer(c, container, { force: true, volumes: true }));
  for (const v of volumes) await removeIfThere(removeVolume(c, v));
  await ctx.log(`Removed ${container}${volumes.length ? ` and its volumes ${volumes.join(", ")}` : ""}.`);
};

function databaseStep({ client, read, options }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      const keepCompose = composeClaimed(ctx);
      const id = await recreate(c, ctx, def.database!, recreateBody(def.database!, {}, { keepCompose }));
      await startContainer(c, id);
      await ctx.log(
        `Created and started ${def.database!.name} (${def.database!.image}, its recorded environment and volumes).`,
      );
      await ctx.progress(25, "Waiting for the database server");
      await waitForDatabaseServer(
        c,
        def.database!.name,
        options.databaseTimeoutMs ?? 180_000,
        "Read its logs (docker logs); everything the recovery created is being removed.",
      );
      await ctx.log("The database server answers.");
      await ensureDatabaseAndUser(
        c,
        def.database!.name,
        envToRecord(def.database!.createSpec.Env as string[] | undefined).MYSQL_ROOT_PASSWORD,
        {
          databaseName: def.instance.database.name,
          databaseUser: def.instance.database.user,
          password: databasePassword(def),
        },
        ctx,
      );
      return { containerId: id };
    },
    compensate: removeRecreated("database", client),
    compensateOnFailure: true,
  };
}

function loadStep({ client, repository, read, plan }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const repo = await repository();
      const def = await read();
      const size = await snapshotFileSize(c, repo, plan.snapshotId, SNAPSHOT_DATABASE);
      if (size === null) {
        throw new AppError(
          "precondition_failed",
          msg`Snapshot ${plan.snapshotId.slice(0, 8)} holds no database dump.`,
          {
            hint: "Pick another restore point; everything the recovery created is being removed.",
          },
        );
      }
      const password = databasePassword(def);
      await ctx.progress(35, "Loading the dump");
      await loadThrough(
        {
          client: c,
          container: def.database!.name,
          image: def.database!.image,
          external: false,
          connect: () => ["--protocol=TCP", "-h127.0.0.1"],
          close: async () => {},
        },
        { databaseName: def.instance.database.name, databaseUser: def.instance.database.user, password },
        {
          id: plan.snapshotId,
          size,
          tables: 0,
          schema: null,
          open: async () => snapshotFileStream(c, repo, plan.snapshotId, SNAPSHOT_DATABASE),
        },
        ctx,
      );
      await ctx.progress(50);
    },
  };
}

function webStep({ client, read, plan }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      const id = await recreate(
        c,
        ctx,
        def.web,
        recreateBody(
          def.web,
          { siteUrl: plan.siteUrl, publishedPort: plan.publishedPort },
          { keepCompose: composeClaimed(ctx) },
        ),
      );
      await ctx.log(
        `Created ${def.web.name} (${def.web.image}, its recorded environment with the same SECRET_KEY${plan.siteUrl ? `, SITE_URL ${plan.siteUrl}` : ""}${plan.publishedPort ? `, published on port ${plan.publishedPort}` : ""}); not started until the uploads are back.`,
      );
      return { containerId: id };
    },
    compensate: removeRecreated("web", client),
    compensateOnFailure: true,
  };
}

function uploadsStep({ client, repository, read, plan }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      const web = await inspectContainer(c, def.web.name);
      const mount = uploadsMountOf(web);
      if (!mount || (mount.type !== "volume" && mount.type !== "bind")) {
        throw new AppError("precondition_failed", msg`${web.name} has no volume or directory at /elabftw/uploads.`, {
          hint: "Its recorded definition mounts nothing there; restore the uploads by hand with the recovery kit.",
        });
      }
      let last = 0;
      const restored = await restoreUploads(c, await repository(), plan.snapshotId, mount, {
        onProgress: (p) => {
          if (Date.now() - last < 1_000) return;
          last = Date.now();
          void ctx.progress(55 + p.percent * 0.25, `Uploads ${p.percent}% restored`).catch(() => undefined);
        },
      });
      await ctx.log(
        `Put back the uploads: ${restored.filesRestored} files, with owners, modes, times and links as recorded.`,
      );
      await ctx.progress(80);
    },
  };
}

function startStep({ client, read, options }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      await startContainer(c, def.web.name);
      const web = await inspectContainer(c, def.web.name);
      await waitForHealth(c, web, {
        timeoutMs: options.healthTimeoutMs ?? 180_000,
        hint: "Read the web container's logs; everything the recovery created is being removed.",
        onWait: (elapsed, detail) =>
          ctx.progress(82 + Math.min(8, elapsed / 10_000), `Waiting for eLabFTW (${detail})`),
      });
      const schema = await dbCheck(c, web);
      if (!("current" in schema) || !schema.upToDate) {
        throw new AppError(
          "precondition_failed",
          msg`After the recovery, bin/console db:check says: ${schema.detail}.`,
          {
            hint: "The restore point's schema does not match its own image; everything the recovery created is being removed.",
          },
        );
      }
      await ctx.log(`eLabFTW answers ok; schema ${schema.current}, as the image requires.`);
      return { schema: schema.current };
    },
  };
}

function registerStep({ db, ring, operationId, plan, client, read }: RecoverEnv): Body {
  return {
    async run(ctx) {
      const c = await client();
      const def = await read();
      const web = await inspectContainer(c, def.web.name);
      const op = await db.operation.findUniqueOrThrow({
        where: { id: operationId },
        select: { requestedBy: { select: { id: true, email: true } } },
      });
      const instanceId = await registerDiscovered(
        db,
        ring,
        { hostId: plan.hostId, containerId: web.id, unitId: plan.unitId, name: plan.name },
        () => ({
          actor: op.requestedBy
            ? { type: "operator", operatorId: op.requestedBy.id, label: op.requestedBy.email }
            : { type: "system", label: "recover" },
          action: "instance.add",
          params: {
            name: plan.name,
            container: def.web.name,
            snapshot: plan.snapshotId.slice(0, 8),
            from: def.instance.name,
          },
        }),
      );
      await db.operation.update({ where: { id: operationId }, data: { instanceId } });
      await ctx.log(`Added ${plan.name} to the inventory.`);
      return { instanceId };
    },
    async compensate() {
      await db.instance.deleteMany({ where: { name: plan.name, webHostId: plan.hostId } });
    },
  };
}

export function recoverSteps(
  db: Db,
  ring: KeyRing,
  operationId: string,
  plan: RecoverPlan,
  options: RecoverOptions = {},
): StepDefinition[] {
  const env = recoverEnv(db, ring, operationId, plan, options);
  const steps: Record<(typeof RECOVER_STEPS)[number]["key"], Body> = {
    check: checkStep(env),
    pull: pullStep(env),
    network: networkStep(env),
    compose: composeStep(env),
    database: databaseStep(env),
    load: loadStep(env),
    web: webStep(env),
    uploads: uploadsStep(env),
    start: startStep(env),
    register: registerStep(env),
  };
  return RECOVER_STEPS.map((s) => ({ key: s.key, title: s.title, ...steps[s.key] }));
}

export const recoverOperation = defineOperation({
  kind: "recover",
  version: 1,
  params: recoverPlanSchema,
  steps: (run) =>
    recoverSteps(run.db, run.ring, run.operationId, run.params, {
      healthTimeoutMs: run.options.backup?.healthTimeoutMs,
    }),
  async finish(run, outcome) {
    const op = await run.db.operation.findUniqueOrThrow({
      where: { id: run.operationId },
      select: { error: true, instanceId: true, requestedBy: { select: { id: true, email: true } } },
    });
    await recordAuditEvent(run.db, {
      actor: op.requestedBy
        ? { type: "operator", operatorId: op.requestedBy.id, label: op.requestedBy.email }
        : { type: "system", label: "recover" },
      action: "instance.recovered",
      outcome: outcome === "succeeded" ? "success" : "failure",
      reason: outcome === "succeeded" ? null : `${outcome}: ${op.error ?? ""}`.slice(0, 500),
      target: { type: "operation", id: run.operationId },
      instanceId: op.instanceId,
      unitId: run.params.unitId,
      params: { name: run.params.name, snapshot: run.params.snapshotId.slice(0, 8), result: outcome },
    });
  },
});

export interface RecoverablePoint {
  id: string;
  time: string;
  instance: string | null;
  unit: string | null;
  version: string | null;
  trigger: string | null;
}

/**
 * The restore points a repository holds, newest first, as the recovery form lists them. Read on
 * the repository's own host for a directory, else on the chosen target host.
 */
export async function listRecoverable(
  db: Db,
  ring: KeyRing,
  repositoryId: string,
  hostId: string,
): Promise<RecoverablePoint[]> {
  const repo = await loadRepository(db, ring, repositoryId);
  const host = repo.kind === "host_directory" && repo.hostId ? repo.hostId : hostId;
  if (!(await db.dockerHost.findUnique({ where: { id: host }, select: { id: true } }))) {
    throw new AppError("not_found", "This host is no longer in the panel.", { hint: "Reload the page." });
  }
  const snapshots = await listSnapshots(await hostClients(db, ring)(host), repo);
  return snapshots
    .filter((s) => s.tags.instance)
    .reverse()
    .slice(0, 500)
    .map((s) => ({
      id: s.id,
      time: s.time,
      instance: s.tags.instance ?? null,
      unit: s.tags.unit ?? null,
      version: s.tags.version ?? null,
      trigger: s.tags.trigger ?? null,
    }));
}
