import type Dockerode from "dockerode";
import type { DockerClient } from "./client";
import { createSpecFromInspect } from "./containers";
import { toDockerError } from "./errors";

/**
 * What it takes to put the same container back on another image: the create
 * body with the container's whole configuration (env, mounts, networks and
 * aliases, ports, labels, security options, capabilities, restart policy,
 * healthcheck), minus what only came from the old image's defaults (its ENV,
 * labels, command, healthcheck…), so the new image's own defaults apply, as
 * `docker compose up` would do. Anonymous volumes are named explicitly so the
 * new container gets the same data.
 */
export interface RecreatePlan {
  id: string;
  name: string;
  image: string;
  running: boolean;
  restartPolicy: string;
  networks: { name: string; aliases: string[] }[];
  body: Dockerode.ContainerCreateOptions;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export async function planRecreate(client: DockerClient, nameOrId: string, newImage: string): Promise<RecreatePlan> {
  let raw: Dockerode.ContainerInspectInfo;
  let imageConfig: Record<string, unknown>;
  try {
    raw = await client.api.getContainer(nameOrId).inspect();
    imageConfig = ((await client.api.getImage(raw.Image).inspect()).Config ?? {}) as unknown as Record<string, unknown>;
  } catch (error) {
    throw toDockerError(error, client.host, `Reading the configuration of ${nameOrId}`);
  }
  const body = createSpecFromInspect(raw) as Dockerode.ContainerCreateOptions & Record<string, unknown>;
  const imageEnv = new Set((imageConfig.Env as string[] | undefined) ?? []);
  body.Env = (body.Env ?? []).filter((e) => !imageEnv.has(e));
  const imageLabels = (imageConfig.Labels as Record<string, string> | null | undefined) ?? {};
  body.Labels = Object.fromEntries(Object.entries(body.Labels ?? {}).filter(([k, v]) => imageLabels[k] !== v));
  for (const key of ["Cmd", "Entrypoint", "WorkingDir", "User", "Healthcheck", "StopSignal", "Shell", "OnBuild"]) {
    if (key in body && same(body[key], imageConfig[key])) delete body[key];
  }
  // Volumes the image declared and the container got as anonymous volumes: keep them by name.
  const hostConfig = (body.HostConfig ?? {}) as Dockerode.HostConfig;
  const targets = new Set([
    ...(hostConfig.Binds ?? []).map((b) => b.split(":")[1]),
    ...(hostConfig.Mounts ?? []).map((m) => m.Target),
  ]);
  const binds = [...(hostConfig.Binds ?? [])];
  for (const m of raw.Mounts ?? []) {
    if (m.Type === "volume" && m.Name && !targets.has(m.Destination)) binds.push(`${m.Name}:${m.Destination}`);
  }
  body.HostConfig = { ...hostConfig, Binds: binds.length ? binds : undefined };
  body.Image = newImage;
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ""),
    image: raw.Config.Image,
    running: Boolean(raw.State?.Running),
    restartPolicy: raw.HostConfig?.RestartPolicy?.Name || "no",
    networks: Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
      name,
      aliases: (n.Aliases ?? []).filter((a: string) => a !== raw.Id.slice(0, 12)),
    })),
    body,
  };
}
