import type Dockerode from "dockerode";
import type { DockerClient } from "./client";
import { toDockerError } from "./errors";

/** A container as listed. Names without the leading slash. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  imageId: string;
  state: string;
  status: string;
  labels: Record<string, string>;
  createdAt: Date;
  /** Published ports (host side), e.g. { ip: "0.0.0.0", publicPort: 3306, privatePort: 3306 }. */
  ports: { ip: string; privatePort: number; publicPort: number; type: string }[];
}

/** The engine's create body (what `createSpec` holds), for callers outside the gateway. */
export type ContainerCreateBody = Dockerode.ContainerCreateOptions;

export type HealthStatus = "none" | "starting" | "healthy" | "unhealthy";

export interface MountInfo {
  type: "bind" | "volume" | "tmpfs" | string;
  /** Host path (bind) or volume name (volume). */
  source: string;
  destination: string;
  readOnly: boolean;
}

export interface HealthcheckSpec {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  /** How often it runs during the start period (engine API 1.44+). */
  startIntervalMs?: number;
}

/** What a container is: enough to recreate it exactly, in our own words. */
export interface ContainerDetails {
  id: string;
  name: string;
  image: string;
  imageId: string;
  state: {
    status: string;
    running: boolean;
    exitCode: number;
    startedAt: Date | null;
    finishedAt: Date | null;
    health: HealthStatus;
  };
  env: Record<string, string>;
  labels: Record<string, string>;
  cmd: string[] | null;
  entrypoint: string[] | null;
  workingDir: string;
  user: string;
  healthcheck: HealthcheckSpec | null;
  exposedPorts: string[];
  mounts: MountInfo[];
  restartPolicy: { name: string; maximumRetryCount: number };
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  portBindings: Record<string, { hostIp: string; hostPort: string }[]>;
  networks: Record<string, { aliases: string[]; ipAddress: string }>;
  networkMode: string;
  /** The raw create body the engine would need to make this container again (for upgrades). */
  createSpec: Dockerode.ContainerCreateOptions;
}

/** Our description of a container to create. */
export interface ContainerSpec {
  name: string;
  image: string;
  env?: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  labels?: Record<string, string>;
  user?: string;
  workingDir?: string;
  healthcheck?: HealthcheckSpec;
  exposedPorts?: string[];
  binds?: string[];
  /** volume name → container path */
  volumes?: Record<string, string>;
  portBindings?: Record<string, { hostIp?: string; hostPort: string }[]>;
  restartPolicy?: "no" | "always" | "unless-stopped" | "on-failure";
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  network?: { name: string; aliases?: string[] };
}

const NS = 1_000_000;

export function envToRecord(env: string[] | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env ?? []) {
    const i = entry.indexOf("=");
    if (i > 0) out[entry.slice(0, i)] = entry.slice(i + 1);
    else out[entry] = "";
  }
  return out;
}

function date(value: string | undefined): Date | null {
  if (!value || value.startsWith("0001-")) return null;
  return new Date(value);
}

export function specToCreateOptions(spec: ContainerSpec): Dockerode.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    Env: spec.env ? Object.entries(spec.env).map(([k, v]) => `${k}=${v}`) : undefined,
    Cmd: spec.cmd,
    Entrypoint: spec.entrypoint,
    Labels: spec.labels,
    User: spec.user,
    WorkingDir: spec.workingDir,
    Healthcheck: spec.healthcheck
      ? {
          Test: spec.healthcheck.test,
          Interval: spec.healthcheck.intervalMs ? spec.healthcheck.intervalMs * NS : undefined,
          Timeout: spec.healthcheck.timeoutMs ? spec.healthcheck.timeoutMs * NS : undefined,
          Retries: spec.healthcheck.retries,
          StartPeriod: spec.healthcheck.startPeriodMs ? spec.healthcheck.startPeriodMs * NS : undefined,
          StartInterval: spec.healthcheck.startIntervalMs ? spec.healthcheck.startIntervalMs * NS : undefined,
        }
      : undefined,
    ExposedPorts: spec.exposedPorts ? Object.fromEntries(spec.exposedPorts.map((p) => [p, {}])) : undefined,
    HostConfig: {
      Binds: spec.binds,
      Mounts: spec.volumes
        ? Object.entries(spec.volumes).map(([source, target]) => ({
            Type: "volume" as const,
            Source: source,
            Target: target,
          }))
        : undefined,
      PortBindings: spec.portBindings
        ? Object.fromEntries(
            Object.entries(spec.portBindings).map(([port, list]) => [
              port,
              list.map((b) => ({ HostIp: b.hostIp ?? "", HostPort: b.hostPort })),
            ]),
          )
        : undefined,
      RestartPolicy: { Name: spec.restartPolicy ?? "no" },
      CapAdd: spec.capAdd,
      CapDrop: spec.capDrop,
      SecurityOpt: spec.securityOpt,
      NetworkMode: spec.network?.name,
    },
    NetworkingConfig: spec.network
      ? { EndpointsConfig: { [spec.network.name]: { Aliases: spec.network.aliases } } }
      : undefined,
  };
}

export function mapInspect(raw: Dockerode.ContainerInspectInfo): ContainerDetails {
  const hc = raw.Config.Healthcheck;
  const health = (raw.State as { Health?: { Status?: string } }).Health?.Status;
  const networks = raw.NetworkSettings?.Networks ?? {};
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ""),
    image: raw.Config.Image,
    imageId: raw.Image,
    state: {
      status: raw.State.Status,
      running: raw.State.Running,
      exitCode: raw.State.ExitCode,
      startedAt: date(raw.State.StartedAt),
      finishedAt: date(raw.State.FinishedAt),
      health: health === "starting" || health === "healthy" || health === "unhealthy" ? health : "none",
    },
    env: envToRecord(raw.Config.Env),
    labels: raw.Config.Labels ?? {},
    cmd: (raw.Config.Cmd as string[] | null) ?? null,
    entrypoint: (raw.Config.Entrypoint as string[] | null) ?? null,
    workingDir: raw.Config.WorkingDir ?? "",
    user: raw.Config.User ?? "",
    healthcheck:
      hc && hc.Test && hc.Test.length
        ? {
            test: hc.Test,
            intervalMs: hc.Interval ? hc.Interval / NS : undefined,
            timeoutMs: hc.Timeout ? hc.Timeout / NS : undefined,
            retries: hc.Retries,
            startPeriodMs: hc.StartPeriod ? hc.StartPeriod / NS : undefined,
          }
        : null,
    exposedPorts: Object.keys(raw.Config.ExposedPorts ?? {}),
    mounts: (raw.Mounts ?? []).map((m) => ({
      type: m.Type,
      source: m.Type === "volume" ? (m.Name ?? m.Source) : m.Source,
      destination: m.Destination,
      readOnly: !m.RW,
    })),
    restartPolicy: {
      name: raw.HostConfig.RestartPolicy?.Name || "no",
      maximumRetryCount: raw.HostConfig.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    capAdd: raw.HostConfig.CapAdd ?? [],
    capDrop: raw.HostConfig.CapDrop ?? [],
    securityOpt: raw.HostConfig.SecurityOpt ?? [],
    portBindings: Object.fromEntries(
      Object.entries(raw.HostConfig.PortBindings ?? {}).map(([port, list]) => [
        port,
        ((list as { HostIp: string; HostPort: string }[] | null) ?? []).map((b) => ({
          hostIp: b.HostIp,
          hostPort: b.HostPort,
        })),
      ]),
    ),
    networks: Object.fromEntries(
      Object.entries(networks).map(([name, n]) => [name, { aliases: n.Aliases ?? [], ipAddress: n.IPAddress ?? "" }]),
    ),
    networkMode: raw.HostConfig.NetworkMode ?? "default",
    createSpec: createSpecFromInspect(raw),
  };
}

/**
 * The create body that reproduces a container from its inspect output: its
 * whole Config and HostConfig, and every network with its aliases (the
 * engine's own short-id alias left out). Used to recreate a container on a
 * new image with exactly its old configuration.
 */
export function createSpecFromInspect(raw: Dockerode.ContainerInspectInfo): Dockerode.ContainerCreateOptions {
  const shortId = raw.Id.slice(0, 12);
  const endpoints: Record<string, Dockerode.EndpointSettings> = {};
  for (const [name, n] of Object.entries(raw.NetworkSettings?.Networks ?? {})) {
    endpoints[name] = {
      Aliases: (n.Aliases ?? []).filter((a: string) => a !== shortId),
      IPAMConfig: n.IPAMConfig ?? undefined,
      Links: n.Links ?? undefined,
    } as Dockerode.EndpointSettings;
  }
  const { Hostname: _hostname, ...config } = raw.Config as Dockerode.ContainerInspectInfo["Config"] & {
    Hostname?: string;
  };
  void _hostname;
  return {
    ...(config as unknown as Dockerode.ContainerCreateOptions),
    name: raw.Name.replace(/^\//, ""),
    HostConfig: raw.HostConfig as Dockerode.HostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}

function summary(c: Dockerode.ContainerInfo): ContainerSummary {
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ""),
    image: c.Image,
    imageId: c.ImageID,
    state: c.State,
    status: c.Status,
    labels: c.Labels ?? {},
    createdAt: new Date(c.Created * 1000),
    ports: (c.Ports ?? [])
      .filter((p) => p.PublicPort !== undefined)
      .map((p) => ({ ip: p.IP ?? "", privatePort: p.PrivatePort, publicPort: p.PublicPort, type: p.Type })),
  };
}

export async function listContainers(
  client: DockerClient,
  options: { all?: boolean; labels?: string[] } = {},
): Promise<ContainerSummary[]> {
  try {
    const list = await client.api.listContainers({
      all: options.all ?? true,
      filters: options.labels?.length ? JSON.stringify({ label: options.labels }) : undefined,
    });
    return list.map(summary);
  } catch (error) {
    throw toDockerError(error, client.host, "Listing containers");
  }
}

export async function inspectContainer(client: DockerClient, nameOrId: string): Promise<ContainerDetails> {
  try {
    return mapInspect(await client.api.getContainer(nameOrId).inspect());
  } catch (error) {
    throw toDockerError(error, client.host, `Inspecting container ${nameOrId}`);
  }
}

/** Create from our spec, or from a raw create body (recreating an inspected container). */
export async function createContainer(
  client: DockerClient,
  spec: ContainerSpec | Dockerode.ContainerCreateOptions,
): Promise<string> {
  const body = "Image" in spec ? spec : specToCreateOptions(spec as ContainerSpec);
  try {
    const container = await client.api.createContainer(body);
    return container.id;
  } catch (error) {
    throw toDockerError(error, client.host, `Creating container ${body.name ?? ""}`.trim());
  }
}

export async function startContainer(client: DockerClient, nameOrId: string): Promise<void> {
  try {
    await client.api.getContainer(nameOrId).start();
  } catch (error) {
    const e = error as { statusCode?: number };
    if (e.statusCode === 304) return; // already started
    throw toDockerError(error, client.host, `Starting container ${nameOrId}`);
  }
}

/** Stop gracefully (SIGTERM, then SIGKILL after `timeoutSeconds`). Stopping a stopped container is fine. */
export async function stopContainer(client: DockerClient, nameOrId: string, timeoutSeconds = 10): Promise<void> {
  try {
    // The call lasts as long as the grace period: use the timeout-free client.
    await client.stream.getContainer(nameOrId).stop({ t: timeoutSeconds });
  } catch (error) {
    const e = error as { statusCode?: number };
    if (e.statusCode === 304) return;
    throw toDockerError(error, client.host, `Stopping container ${nameOrId}`);
  }
}

export async function renameContainer(client: DockerClient, nameOrId: string, newName: string): Promise<void> {
  try {
    await client.api.getContainer(nameOrId).rename({ name: newName });
  } catch (error) {
    throw toDockerError(error, client.host, `Renaming container ${nameOrId} to ${newName}`);
  }
}

export async function updateRestartPolicy(
  client: DockerClient,
  nameOrId: string,
  policy: "no" | "always" | "unless-stopped" | "on-failure",
): Promise<void> {
  try {
    await client.api.getContainer(nameOrId).update({ RestartPolicy: { Name: policy } });
  } catch (error) {
    throw toDockerError(error, client.host, `Changing the restart policy of ${nameOrId}`);
  }
}

export async function removeContainer(
  client: DockerClient,
  nameOrId: string,
  options: { force?: boolean; volumes?: boolean } = {},
): Promise<void> {
  try {
    await client.api.getContainer(nameOrId).remove({ force: options.force ?? false, v: options.volumes ?? false });
  } catch (error) {
    throw toDockerError(error, client.host, `Removing container ${nameOrId}`);
  }
}

/** Wait until the container stops; resolves with its exit code. */
export async function waitContainer(client: DockerClient, nameOrId: string): Promise<number> {
  try {
    const result = (await client.stream.getContainer(nameOrId).wait()) as { StatusCode: number };
    return result.StatusCode;
  } catch (error) {
    throw toDockerError(error, client.host, `Waiting for container ${nameOrId}`);
  }
}
