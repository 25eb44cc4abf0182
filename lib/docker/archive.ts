import type { Readable } from "node:stream";
import type { DockerClient } from "./client";
import { toDockerError } from "./errors";

/**
 * A tar stream of `path` inside the container (ownership and modes kept).
 * The engine sends it as the consumer reads it: nothing is buffered here.
 */
export async function getArchive(client: DockerClient, container: string, path: string): Promise<Readable> {
  try {
    const archive = (await client.stream.getContainer(container).getArchive({ path })) as unknown as Readable;
    // The reader (a pipeline) reports errors while it reads; a connection that breaks after it has
    // stopped must not become an uncaught error that takes the panel down.
    archive.on("error", () => undefined);
    return archive;
  } catch (error) {
    throw toDockerError(error, client.host, `Reading ${path} out of ${container}`);
  }
}

/** Extract a tar stream into `path` inside the container (the directory must exist). */
export async function putArchive(client: DockerClient, container: string, path: string, tar: Readable): Promise<void> {
  try {
    await client.stream.getContainer(container).putArchive(tar, { path });
  } catch (error) {
    throw toDockerError(error, client.host, `Writing into ${path} of ${container}`);
  }
}
