import { removeContainer, removeVolume, toDockerError, type ContainerSummary, type DockerClient } from "../../docker";

/** Older than this, a stopped helper or an unused scratch volume belongs to no operation still running. */
export const LEFTOVER_AGE_MS = 3_600_000;

/**
 * What a panel that died mid-operation (a SIGKILL, a host reboot) leaves on a host: stopped helper
 * containers (the panel removes each one it started, unless it died first) and scratch volumes no
 * container uses (a backup's staging area, a verification's sample). Swept at the slow snapshot
 * cadence, only past an hour, so that nothing an operation in progress on another replica still
 * needs is touched: a running helper is never removed (a long backup), a volume in use cannot be.
 * restic's cache volumes carry no helper label and stay.
 */
export async function sweepLeftovers(
  client: DockerClient,
  containers: ContainerSummary[],
  options: { now?: number; volumeLabels?: string[] } = {},
): Promise<{ containers: string[]; volumes: string[] }> {
  const now = options.now ?? Date.now();
  const removed = { containers: [] as string[], volumes: [] as string[] };
  for (const c of containers) {
    if (c.labels["net.paillasse.helper"] === undefined || c.state === "running" || c.state === "restarting") continue;
    if (now - c.createdAt.getTime() < LEFTOVER_AGE_MS) continue;
    await removeContainer(client, c.id, { force: true })
      .then(() => removed.containers.push(c.name))
      .catch(() => undefined);
  }
  let volumes: { Name: string; CreatedAt?: string }[];
  try {
    const listed = await client.api.listVolumes({
      filters: JSON.stringify({ label: ["net.paillasse.helper", ...(options.volumeLabels ?? [])], dangling: ["true"] }),
    } as object);
    volumes = (listed.Volumes ?? []) as { Name: string; CreatedAt?: string }[];
  } catch (error) {
    throw toDockerError(error, client.host, "Listing volumes");
  }
  for (const v of volumes) {
    const created = v.CreatedAt ? Date.parse(v.CreatedAt) : NaN;
    if (!(now - created >= LEFTOVER_AGE_MS)) continue;
    // An engine refuses to remove a volume a container still mounts: that one is kept.
    await removeVolume(client, v.Name)
      .then(() => removed.volumes.push(v.Name))
      .catch(() => undefined);
  }
  return removed;
}
