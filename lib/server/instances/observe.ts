import { z } from "zod";
import { webLayoutOf } from "./elabftw-releases";
import { openInstanceSecrets } from "./instance-secrets";
import {
  DockerError,
  execCapture,
  inspectContainer,
  elabftwVersionOf,
  inspectImage,
  listContainers,
  toDockerError,
  type ContainerDetails,
  type DockerClient,
} from "../../docker";
import type { KeyRing } from "../../crypto";
import { AppError, errorText } from "../../errors";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { waitFor } from "../operations/wait-for";
import { complianceChecks, complianceScore } from "../compliance/checks";
import { splitImageRef } from "./discovery";
import { describeConsoleFailure, parseDbCheck, parseHealth } from "./elabftw-console";
import { databaseSpecContext } from "./instance-secrets";
import { fetchUsage } from "./usage";
import { seal } from "../../crypto";
import { asMessage, msg, textSchema, type Wording } from "../../i18n/message";

/**
 * A look at one instance, through the Docker API only (no network path from
 * the panel to the instance is needed): its containers, `/healthcheck.php`
 * requested from inside the web container, `bin/console db:check` read by its
 * text, the size of the uploads. The result is stored on the instance and
 * shown on its page.
 */
const containerView = z.object({
  name: z.string(),
  host: z.string(),
  state: z.string(),
  running: z.boolean(),
  health: z.string(),
  restartPolicy: z.string(),
  image: z.string(),
  startedAt: z.string().nullable(),
});
export type ContainerView = z.infer<typeof containerView>;

const usage = z.object({
  elabftwVersion: z.string().nullable(),
  users: z.number(),
  activeUsers: z.number(),
  teams: z.number(),
  experiments: z.number(),
  timestampedExperiments: z.number(),
  items: z.number(),
  uploadsBytes: z.number().nullable(),
});

/** What one look at an instance found (Instance.observation). */
export const observationSchema = z.object({
  at: z.string(),
  web: containerView.nullable(),
  database: containerView.nullable(),
  /** "ok", "ko" (database unreachable), "unexpected", or why it could not be asked. */
  health: z.object({ verdict: z.enum(["ok", "ko", "unexpected", "unknown"]), detail: textSchema }),
  schema: z.union([
    z.object({
      current: z.number(),
      required: z.number(),
      upToDate: z.boolean(),
      ahead: z.boolean(),
      detail: textSchema,
    }),
    z.object({ detail: textSchema }),
  ]),
  elabftwVersion: z.string().nullable(),
  uploadsBytes: z.number().nullable(),
  problems: z.array(textSchema),
  compliance: z
    .object({
      checks: z.array(
        z.object({
          id: z.enum([
            "two_machines",
            "https",
            "database_tls",
            "web_hardened",
            "database_port",
            "restart_policies",
            "image_pinned",
            "backups",
          ]),
          title: z.string(),
          verdict: z.enum(["pass", "fail", "unknown"]),
          reason: textSchema,
        }),
      ),
      score: z.object({ passed: z.number(), decided: z.number(), percent: z.number().nullable() }),
    })
    .nullable(),
  /** Figures from /api/v2/info, when an eLabFTW API key is set for this instance. */
  usage: z.union([
    z.object({ configured: z.literal(false) }),
    z.object({ configured: z.literal(true), usage: usage.nullable(), error: z.string().nullable() }),
  ]),
});
export type Observation = z.infer<typeof observationSchema>;

/**
 * The stored observation of an instance, parsed. One in a shape this panel
 * does not read counts as none: the next observation replaces it.
 */
export function readObservation(json: unknown): Observation | null {
  const parsed = observationSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Panel-made side containers (one-off, backup, kept for rollback) on a host, with their restart policies. */
async function sideContainers(client: DockerClient, instanceId: string) {
  const list = await listContainers(client, { all: true, labels: ["net.paillasse.role"] });
  const mine = list.filter(
    (c) => !c.labels["net.paillasse.instance"] || c.labels["net.paillasse.instance"] === instanceId,
  );
  // One removed between the list and its inspection (a one-off that just ended) is left out.
  const seen = await Promise.all(
    mine.map(async (c) => {
      const details = await inspectContainer(client, c.id).catch((error: unknown) => {
        if (error instanceof DockerError && error.failure === "not_found") return null;
        throw error;
      });
      return (
        details && { name: c.name, role: c.labels["net.paillasse.role"]!, restartPolicy: details.restartPolicy.name }
      );
    }),
  );
  return seen.filter((c) => c !== null);
}

function view(c: ContainerDetails, host: string): ContainerView {
  return {
    name: c.name,
    host,
    state: c.state.status,
    running: c.state.running,
    health: c.state.health,
    restartPolicy: c.restartPolicy.name,
    image: c.image,
    startedAt: c.state.startedAt?.toISOString() ?? null,
  };
}

/** Ask the web server from inside its container (curl is in the image). */
export async function healthFromInside(client: DockerClient, web: ContainerDetails): Promise<Observation["health"]> {
  const scheme = web.env.DISABLE_HTTPS === "true" ? "http" : "https";
  const result = await execCapture(client, web.id, {
    cmd: [
      "curl",
      "-sk",
      "--max-time",
      "30",
      "-w",
      "\n%{http_code}",
      `${scheme}://127.0.0.1:${webLayoutOf(web).containerPort}/healthcheck.php`,
    ],
  });
  if (result.exitCode !== 0) {
    return {
      verdict: "unknown",
      detail: msg`the web server did not answer inside the container (curl exit ${result.exitCode})`,
    };
  }
  const cut = result.stdout.lastIndexOf("\n");
  const status = Number(result.stdout.slice(cut + 1));
  const body = result.stdout.slice(0, cut);
  const verdict = parseHealth(status, body);
  return {
    verdict,
    detail:
      verdict === "ok"
        ? "healthcheck.php answered ok"
        : verdict === "ko"
          ? "healthcheck.php answered ko: eLabFTW cannot reach its database"
          : msg`healthcheck.php answered HTTP ${status}`,
  };
}

/** Wait until /healthcheck.php answers ok from inside the web container. */
export async function waitForHealth(
  client: DockerClient,
  web: ContainerDetails,
  options: {
    timeoutMs: number;
    hint: string;
    onWait?: (elapsedMs: number, detail: string) => Promise<void>;
    intervalMs?: number;
  },
): Promise<void> {
  await waitFor("/healthcheck.php answering ok", options, async () => {
    const health = await healthFromInside(client, web);
    return health.verdict === "ok"
      ? { done: true as const, value: null }
      : { done: false as const, detail: health.detail };
  });
}

export async function dbCheck(client: DockerClient, web: ContainerDetails): Promise<Observation["schema"]> {
  const result = await execCapture(client, web.id, { cmd: ["bin/console", "db:check"] });
  const parsed = parseDbCheck(result.stdout);
  if (!parsed) {
    return {
      detail: describeConsoleFailure("bin/console db:check", result),
    };
  }
  return {
    ...parsed,
    detail: parsed.upToDate
      ? msg`schema ${parsed.current}, as the image requires`
      : parsed.ahead
        ? msg`schema ${parsed.current} is ahead of the image (${parsed.required}): the image is older than the database`
        : msg`schema ${parsed.current}, the image requires ${parsed.required}: an update is pending`,
  };
}

async function uploadsSize(client: DockerClient, web: ContainerDetails): Promise<number | null> {
  const result = await execCapture(client, web.id, { cmd: ["du", "-sk", webLayoutOf(web).uploads] });
  const kib = Number(/^(\d+)/.exec(result.stdout)?.[1]);
  return result.exitCode === 0 && Number.isFinite(kib) ? kib * 1024 : null;
}

/** The image reference a container runs, as the inventory records it (a digest-only reference is left alone). */
function runningImage(image: string): { imageRepository: string; imageTag: string } | Record<string, never> {
  if (image.startsWith("sha256:") || image.includes("@")) return {};
  const { repository, tag } = splitImageRef(image);
  return { imageRepository: repository, imageTag: tag };
}

export interface ObserveOptions {
  /**
   * In the background: store the observation only while no operation holds
   * the instance (an upgrade in progress writes its own, truer state).
   */
  onlyWhenIdle?: boolean;
}

export async function observeInstance(
  db: Db,
  ring: KeyRing,
  instanceId: string,
  options: ObserveOptions = {},
): Promise<Observation> {
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    include: {
      webHost: { select: { name: true, address: true, kind: true } },
      databaseHost: { select: { id: true, name: true } },
    },
    omit: { secretsEnc: false },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  const problems: Wording[] = [];
  const observation: Observation = {
    at: new Date().toISOString(),
    web: null,
    database: null,
    health: { verdict: "unknown", detail: "not asked" },
    schema: { detail: "not asked" },
    elabftwVersion: instance.elabftwVersion,
    uploadsBytes: null,
    problems,
    compliance: null,
    usage: { configured: false },
  };
  const apiKey = openInstanceSecrets(ring, instance).apiKey;
  if (apiKey)
    observation.usage = { configured: true, usage: null, error: "not asked: the web container is not running" };
  // What the checks below need from the containers, filled in as they are read.
  const seen: {
    web: ContainerDetails | null;
    db: ContainerDetails | null;
    sides: Awaited<ReturnType<typeof sideContainers>> | null;
  } = { web: null, db: null, sides: null };
  let state: "running" | "degraded" | "stopped" | "unreachable" = "unreachable";
  try {
    const client = await clientFor(db, ring, instance.webHostId, { timeoutMs: 15_000 });
    const web = await inspectContainer(client, instance.webContainerName);
    seen.web = web;
    observation.web = view(web, instance.webHost.name);
    seen.sides = await sideContainers(client, instance.id).catch(() => null);
    const labels = web.labels["net.elabftw.elabftw-version"]
      ? web.labels
      : ((await inspectImage(client, web.imageId).catch(() => null))?.labels ?? {});
    observation.elabftwVersion = elabftwVersionOf(labels);
    if (instance.databasePlacement === "container" && instance.databaseHost && instance.databaseContainerName) {
      try {
        const dbClient =
          instance.databaseHost.id === instance.webHostId
            ? client
            : await clientFor(db, ring, instance.databaseHost.id, { timeoutMs: 15_000 });
        seen.db = await inspectContainer(dbClient, instance.databaseContainerName);
        observation.database = view(seen.db, instance.databaseHost.name);
        if (!observation.database.running)
          problems.push(msg`The database container ${observation.database.name} is not running.`);
      } catch (error) {
        problems.push(toDockerError(error, instance.databaseHost.name, "Reading the database container").text);
      }
    }
    if (!web.state.running) {
      state = "stopped";
      problems.push(msg`The web container ${web.name} is ${web.state.status}.`);
    } else {
      const [health, schema, uploads] = await Promise.all([
        healthFromInside(client, web).catch((e): Observation["health"] => ({
          verdict: "unknown",
          detail: errorText(e),
        })),
        dbCheck(client, web).catch((e): Observation["schema"] => ({ detail: errorText(e) })),
        uploadsSize(client, web).catch(() => null),
      ]);
      observation.health = health;
      observation.schema = schema;
      observation.uploadsBytes = uploads;
      if (apiKey) {
        observation.usage = {
          configured: true,
          ...(await fetchUsage(client, web, apiKey).catch((e: unknown) => ({
            usage: null,
            error: (e as Error).message,
          }))),
        };
      }
      const inSync = "upToDate" in schema && schema.upToDate;
      state = health.verdict === "ok" && inSync ? "running" : "degraded";
      if (health.verdict !== "ok") problems.push(msg`Health: ${asMessage(health.detail)}.`);
      if (!inSync) problems.push(msg`Schema: ${asMessage(schema.detail)}.`);
    }
  } catch (error) {
    const e =
      error instanceof DockerError ? error : toDockerError(error, instance.webHost.name, "Reading the instance");
    problems.push(e.fullText);
    state = e.failure === "not_found" ? "stopped" : "unreachable";
  }
  // Compliance counts only backups proven by their verification.
  const backups = await db.backup.aggregate({
    where: { instanceId, status: "succeeded", verificationStatus: "passed" },
    _max: { finishedAt: true },
  });
  const backupCount = await db.backup.count({ where: { instanceId } });
  const checks = complianceChecks(
    {
      webHost: {
        id: instance.webHostId,
        name: instance.webHost.name,
        address: instance.webHost.address,
        kind: instance.webHost.kind,
      },
      database:
        instance.databasePlacement === "container"
          ? {
              placement: "container",
              hostId: instance.databaseHostId,
              hostName: instance.databaseHost?.name ?? null,
              portBindings: seen.db?.portBindings ?? null,
            }
          : { placement: "external", address: instance.databaseAddress },
      web: seen.web
        ? {
            env: seen.web.env,
            securityOpt: seen.web.securityOpt,
            capDrop: seen.web.capDrop,
            capAdd: seen.web.capAdd,
            imageTag: splitImageRef(seen.web.image).tag,
          }
        : null,
      sideContainers: seen.sides,
      // Every backup the panel makes is encrypted (age) before it touches the disk.
      backups: { count: backupCount, lastVerifiedAt: backups._max.finishedAt, lastEncrypted: true, maxAgeHours: 36 },
    },
    new Date(observation.at),
  );
  const score = complianceScore(checks);
  observation.compliance = { checks, score };
  await db.instance.updateMany({
    where: { id: instanceId, ...(options.onlyWhenIdle ? { activeOperationId: null } : {}) },
    data: {
      complianceScore: score.percent,
      state,
      health: observation.health.verdict,
      schemaVersion: "current" in observation.schema ? observation.schema.current : instance.schemaVersion,
      elabftwVersion: observation.elabftwVersion,
      // What the web container runs now, even if it was re-created outside the panel: one source of truth
      // for the Version card, the containers table, the compliance checks and the upgrade planning.
      ...(seen.web ? runningImage(seen.web.image) : {}),
      observation,
      observedAt: new Date(observation.at),
      // What re-creates the database container if it is ever removed (a restore does so).
      ...(seen.db
        ? { databaseSpecEnc: seal(ring, JSON.stringify(seen.db.createSpec), databaseSpecContext(instance.id)) }
        : {}),
    },
  });
  return observation;
}
