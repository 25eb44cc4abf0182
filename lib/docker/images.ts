import type { DockerClient } from "./client";
import { DockerError, toDockerError } from "./errors";
import { msg } from "../i18n/message";

export interface ImageDetails {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  labels: Record<string, string>;
  /** eLabFTW version from the image labels (5.x label, or the OCI one used by 6.x images). */
  elabftwVersion: string | null;
  createdAt: Date;
  sizeBytes: number;
  healthcheck: { test: string[]; intervalMs?: number; startPeriodMs?: number } | null;
}

export interface PullProgress {
  /** Layer id, or null for whole-image messages. */
  layer: string | null;
  status: string;
  current?: number;
  total?: number;
}

const NS = 1_000_000;

export function elabftwVersionOf(labels: Record<string, string>): string | null {
  return labels["net.elabftw.elabftw-version"] ?? labels["org.opencontainers.image.version"] ?? null;
}

export async function inspectImage(client: DockerClient, ref: string): Promise<ImageDetails> {
  try {
    const raw = await client.api.getImage(ref).inspect();
    const labels = (raw.Config?.Labels as Record<string, string> | null) ?? {};
    const hc = raw.Config?.Healthcheck;
    return {
      id: raw.Id,
      repoTags: raw.RepoTags ?? [],
      repoDigests: raw.RepoDigests ?? [],
      labels,
      elabftwVersion: elabftwVersionOf(labels),
      createdAt: new Date(raw.Created),
      sizeBytes: raw.Size,
      healthcheck: hc?.Test?.length
        ? {
            test: hc.Test,
            intervalMs: hc.Interval ? hc.Interval / NS : undefined,
            startPeriodMs: hc.StartPeriod ? hc.StartPeriod / NS : undefined,
          }
        : null,
    };
  } catch (error) {
    throw toDockerError(error, client.host, `Inspecting image ${ref}`);
  }
}

export async function imageExists(client: DockerClient, ref: string): Promise<boolean> {
  try {
    await client.api.getImage(ref).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw toDockerError(error, client.host, `Inspecting image ${ref}`);
  }
}

/** Split "repo[:tag]" (a registry host may carry a port). Digests are kept whole. */
export function splitReference(ref: string): { repository: string; tag: string } {
  if (ref.includes("@")) return { repository: ref, tag: "" };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repository: ref, tag: "latest" };
}

/**
 * Pull an image, reporting progress. Resolves once the engine has the image;
 * rejects with a DockerError whose message names the image and says what to
 * check (the engine's own message is kept, proxies and URLs are not guessed).
 */
export async function pullImage(
  client: DockerClient,
  ref: string,
  onProgress: (p: PullProgress) => void = () => {},
): Promise<ImageDetails> {
  const { repository, tag } = splitReference(ref);
  if (!tag) throw new DockerError("engine", msg`Pull ${ref}: pin an exact tag, not a digest or "latest".`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await client.stream.pull(ref);
  } catch (error) {
    throw pullError(toDockerError(error, client.host, `Pulling ${ref}`), ref);
  }
  await new Promise<void>((resolve, reject) => {
    client.stream.modem.followProgress(
      stream,
      (error: Error | null) =>
        error ? reject(pullError(toDockerError(error, client.host, `Pulling ${ref}`), ref)) : resolve(),
      (event: {
        id?: string;
        status?: string;
        error?: string;
        progressDetail?: { current?: number; total?: number };
      }) => {
        if (event.error) return; // reported by the completion callback
        onProgress({
          layer: event.id && event.id !== tag ? event.id : null,
          status: event.status ?? "",
          current: event.progressDetail?.current,
          total: event.progressDetail?.total,
        });
      },
    );
  });
  void repository;
  return inspectImage(client, ref);
}

function pullError(error: DockerError, ref: string): DockerError {
  const engine = error.message.replace(/^Pulling [^:]+:[^ ]* on [^:]+:\s*/, "");
  const notFound = /not found|manifest unknown|does not exist|pull access denied|proxyconnect/i.test(engine);
  return new DockerError(notFound ? "not_found" : error.failure, msg`Could not pull ${ref}: ${engine}`, {
    hint: notFound
      ? "Check that this tag exists in the configured registry (exact version, no typo) and that the host can reach the registry."
      : error.hint,
    cause: error,
  });
}

export async function removeImage(client: DockerClient, ref: string, options: { force?: boolean } = {}): Promise<void> {
  try {
    await client.api.getImage(ref).remove({ force: options.force ?? false });
  } catch (error) {
    throw toDockerError(error, client.host, `Removing image ${ref}`);
  }
}
