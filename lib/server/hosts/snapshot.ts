import { sweepLeftovers } from "./leftovers";
import { AppError } from "../../errors";
import pLimit from "p-limit";
import { z } from "zod";
import {
  connect,
  DockerError,
  getEngineInfo,
  listContainers,
  localImageTags,
  measureFreeSpace,
  pickHelperImage,
  toDockerError,
  type DockerClient,
  type HostConnection,
} from "../../docker";
import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import { CONNECTION_FIELDS, hostConnection } from "./host-connection";
import { msg } from "../../i18n/message";

/**
 * A host snapshot: what the engine said about itself and its containers, read
 * in one go under a deadline, then stored on the host row. Pages read the
 * stored snapshot and show its age; they never wait on an engine.
 */
export const hostSnapshotSchema = z.object({
  takenAt: z.string(),
  durationMs: z.number(),
  engine: z.object({
    /** The engine's own ID (absent in snapshots taken before it was recorded). */
    id: z.string().optional(),
    version: z.string(),
    apiVersion: z.string(),
    operatingSystem: z.string(),
    kernelVersion: z.string(),
    architecture: z.string(),
    cpus: z.number(),
    memoryBytes: z.number(),
    dockerRootDir: z.string(),
    storageDriver: z.string(),
  }),
  containers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      image: z.string(),
      state: z.string(),
      status: z.string(),
      createdAt: z.string(),
      labels: z.record(z.string(), z.string()),
      ports: z.array(z.object({ ip: z.string(), privatePort: z.number(), publicPort: z.number(), type: z.string() })),
    }),
  ),
  containersRunning: z.number(),
  freeBytes: z.number().nullable(),
  /** Why the free space is unknown, when it is. */
  freeBytesNote: z.string().nullable(),
});
export type HostSnapshot = z.infer<typeof hostSnapshotSchema>;

/**
 * The stored snapshot of a host (DockerHost.snapshot), parsed. One in a shape
 * this panel does not read counts as none: the next snapshot (every minute)
 * replaces it.
 */
export function readHostSnapshot(json: unknown): HostSnapshot | null {
  const parsed = hostSnapshotSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export interface SnapshotOptions {
  /** Whole-snapshot deadline, in ms (connection included). */
  timeoutMs?: number;
  /** Measure free space (runs a helper container: not at every refresh). */
  measureDisk?: boolean;
  /** Images to prefer for the free-space helper. */
  helperImages?: string[];
}

export type SnapshotOutcome =
  | {
      ok: true;
      snapshot: HostSnapshot;
      sshFingerprint?: string;
      /** Name of the other host entry that already is this engine. */
      duplicateOf?: string;
    }
  | { ok: false; error: DockerError; durationMs: number };

/** What a host entry that reaches an engine already in the panel is told. */
export const duplicateEngineMessage = (other: string) =>
  `This engine is already added as “${other}”. Use that host: two entries for one engine would let two operations run at once on the same containers.`;

const KEPT_LABELS =
  /^(com\.docker\.compose\.(project|service|project\.working_dir|project\.config_files)|net\.paillasse\.)/;

async function read(client: DockerClient, options: SnapshotOptions, started: number): Promise<HostSnapshot> {
  const [engine, containers] = await Promise.all([getEngineInfo(client), listContainers(client, { all: true })]);
  let freeBytes: number | null = null;
  let freeBytesNote: string | null = "not measured at this refresh";
  if (options.measureDisk) {
    const image = pickHelperImage(await localImageTags(client), options.helperImages);
    if (!image) {
      freeBytesNote = "no eLabFTW or MySQL image on this host to measure it with";
    } else {
      try {
        freeBytes = await measureFreeSpace(client, engine.dockerRootDir, image);
        freeBytesNote = freeBytes === null ? "df gave no figure" : null;
      } catch (error) {
        freeBytesNote = `measuring failed: ${toDockerError(error, client.host, "Measuring free space").message}`;
      }
    }
  }
  // At the slow cadence: what a panel that died mid-operation left behind (never fails the snapshot).
  if (options.measureDisk) await sweepLeftovers(client, containers).catch(() => undefined);
  return {
    takenAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    engine: {
      id: engine.id,
      version: engine.engineVersion,
      apiVersion: engine.apiVersion,
      operatingSystem: engine.operatingSystem,
      kernelVersion: engine.kernelVersion,
      architecture: engine.architecture,
      cpus: engine.cpus,
      memoryBytes: engine.memoryBytes,
      dockerRootDir: engine.dockerRootDir,
      storageDriver: engine.storageDriver,
    },
    containers: containers
      .filter((c) => c.labels["net.paillasse.helper"] === undefined)
      .map((c) => ({
        id: c.id,
        name: c.name,
        image: c.image,
        state: c.state,
        status: c.status,
        createdAt: c.createdAt.toISOString(),
        labels: Object.fromEntries(Object.entries(c.labels).filter(([k]) => KEPT_LABELS.test(k))),
        ports: c.ports,
      })),
    containersRunning: containers.filter((c) => c.state === "running").length,
    freeBytes,
    freeBytesNote,
  };
}

/** Read one engine under a deadline; never throws. */
export async function takeSnapshot(
  connection: HostConnection,
  options: SnapshotOptions = {},
): Promise<SnapshotOutcome> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DockerError("timeout", msg`${connection.name} did not answer within ${Math.round(timeoutMs / 1000)} s.`, {
            hint: "Check that the host is up and that its engine answers (a firewall may drop the packets).",
          }),
        ),
      timeoutMs,
    );
  });
  try {
    const work = (async () => {
      const client = await connect(connection, {
        connectTimeoutMs: Math.min(timeoutMs, connection.kind === "ssh" ? 15_000 : 5_000),
        timeoutMs,
      });
      return { client, snapshot: await read(client, options, started) };
    })();
    work.catch(() => undefined); // the deadline may win; the late failure is not news
    const { client, snapshot } = await Promise.race([work, deadline]);
    return { ok: true, snapshot, sshFingerprint: client.sshFingerprint };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof DockerError ? error : toDockerError(error, connection.name, "Reading the host"),
      durationMs: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Snapshot one stored host and store the result (pinning an SSH host key seen for the first time). */
export async function refreshHost(
  db: Db,
  ring: KeyRing,
  hostId: string,
  options: SnapshotOptions = {},
): Promise<SnapshotOutcome & { hostName: string }> {
  const row = await db.dockerHost.findUnique({
    where: { id: hostId },
    // Selecting the sealed secrets explicitly overrides the client's default omit.
    select: CONNECTION_FIELDS,
  });
  if (!row) throw new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." });
  let outcome: SnapshotOutcome;
  try {
    outcome = await takeSnapshot(hostConnection(row, ring), options);
  } catch (error) {
    // A stored secret that cannot be opened: report it like any other failure.
    outcome = {
      ok: false,
      error: new DockerError("engine", (error as Error).message, { hint: "Edit the host and enter its key again." }),
      durationMs: 0,
    };
  }
  const now = new Date();
  if (outcome.ok) {
    const { snapshot } = outcome;
    const previous = await db.dockerHost.findUniqueOrThrow({ where: { id: hostId }, select: { freeBytes: true } });
    const engineId = snapshot.engine.id || null;
    const twin = engineId
      ? await db.dockerHost.findFirst({ where: { engineId, id: { not: hostId } }, select: { name: true } })
      : null;
    if (twin) outcome.duplicateOf = twin.name;
    const write = (withEngineId: boolean) =>
      db.dockerHost.update({
        where: { id: hostId },
        data: {
          reachability: "reachable",
          lastSnapshotAt: now,
          lastSnapshotError: outcome.duplicateOf ? duplicateEngineMessage(outcome.duplicateOf) : null,
          ...(withEngineId ? { engineId } : {}),
          engineVersion: snapshot.engine.version,
          apiVersion: snapshot.engine.apiVersion,
          operatingSystem: snapshot.engine.operatingSystem,
          dockerRootDir: snapshot.engine.dockerRootDir,
          // A refresh that did not measure keeps the last measured figure.
          freeBytes: snapshot.freeBytes !== null ? BigInt(snapshot.freeBytes) : previous.freeBytes,
          snapshot,
          ...(row.kind === "ssh" && !row.sshHostFingerprint && outcome.sshFingerprint
            ? { sshHostFingerprint: outcome.sshFingerprint }
            : {}),
        },
      });
    try {
      await write(!twin);
    } catch (error) {
      // Another entry took this engine ID between the look-up and the write (two adds at once).
      if ((error as { code?: string }).code !== "P2002") throw error;
      const other = await db.dockerHost.findFirst({ where: { engineId, id: { not: hostId } }, select: { name: true } });
      outcome.duplicateOf = other?.name ?? "another host";
      await write(false);
    }
  } else {
    await db.dockerHost.update({
      where: { id: hostId },
      data: {
        reachability: "unreachable",
        lastSnapshotAt: now,
        lastSnapshotError: outcome.error.hint
          ? `${outcome.error.message} ${outcome.error.hint}`
          : outcome.error.message,
      },
    });
  }
  return { ...outcome, hostName: row.name };
}

export interface RefreshSummary {
  hosts: number;
  reachable: number;
  unreachable: string[];
  durationMs: number;
}

/**
 * Refresh every host, at most `concurrency` at a time, each under its own
 * deadline: a dead or black-holed host costs one slot for `timeoutMs` and
 * delays nobody else.
 */
export async function refreshAllHosts(
  db: Db,
  ring: KeyRing,
  options: SnapshotOptions & { concurrency?: number } = {},
): Promise<RefreshSummary> {
  const started = Date.now();
  const hosts = await db.dockerHost.findMany({ select: { id: true, freeBytes: true, lastSnapshotAt: true } });
  const limit = pLimit(options.concurrency ?? 8);
  const results = await Promise.all(hosts.map((h) => limit(() => refreshHost(db, ring, h.id, options))));
  return {
    hosts: hosts.length,
    reachable: results.filter((r) => r.ok).length,
    unreachable: results.filter((r) => !r.ok).map((r) => r.hostName),
    durationMs: Date.now() - started,
  };
}
