import type { DockerClient } from "./client";
import { toDockerError } from "./errors";
import { runToCompletion } from "./run";

/**
 * Free space where Docker keeps its data. The Engine API has no call for it,
 * so a throw-away helper container of an image already on the host (no pull:
 * hosts may have no Internet access) mounts the directory read-only, without
 * network, and runs `df`. The helper is removed whatever happens.
 */

/** Local image references on the host (repo:tag). */
export async function localImageTags(client: DockerClient): Promise<string[]> {
  try {
    const images = await client.api.listImages();
    return images.flatMap((i) => i.RepoTags ?? []).filter((t) => t !== "<none>:<none>");
  } catch (error) {
    throw toDockerError(error, client.host, "Listing images");
  }
}

/** The first usable helper image: a preferred one if present, else an eLabFTW or MySQL image (both have df). */
export function pickHelperImage(tags: string[], preferred: string[] = []): string | null {
  for (const ref of preferred) if (tags.includes(ref)) return ref;
  return (
    tags.find((t) => /(^|\/)elabftw\/elabimg:/.test(t)) ?? tags.find((t) => /(^|\/)(library\/)?mysql:/.test(t)) ?? null
  );
}

/** Parse `df -Pk` output: the "Available" column of the data line, in bytes. */
export function parseDfAvailable(output: string): number | null {
  const line = output
    .trim()
    .split("\n")
    .find((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+\d+%/.test(l.trim()));
  if (!line) return null;
  const available = Number(line.trim().split(/\s+/)[3]);
  return Number.isFinite(available) ? available * 1024 : null;
}

export async function measureFreeSpace(client: DockerClient, directory: string, image: string): Promise<number | null> {
  const result = await runToCompletion(
    client,
    {
      Image: image,
      Entrypoint: ["df"],
      Cmd: ["-Pk", "/probe"],
      User: "0",
      Labels: { "net.paillasse.helper": "free-space" },
      NetworkDisabled: true,
      HostConfig: { Binds: [`${directory}:/probe:ro`], NetworkMode: "none", RestartPolicy: { Name: "no" } },
    },
    { maxLines: 20 },
  );
  return result.exitCode === 0 ? parseDfAvailable(result.stdout) : null;
}
