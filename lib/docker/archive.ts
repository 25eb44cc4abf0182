import type { Readable } from "node:stream";
import tar from "tar-stream";
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

/**
 * The regular files under `path` inside the container, read whole into memory (small things only:
 * a compose file, a record the panel wrote), each with its tar header (owner, mode).
 */
export async function readSmallFiles(
  client: DockerClient,
  container: string,
  path: string,
): Promise<{ name: string; data: Buffer; header: tar.Header }[]> {
  const archive = await getArchive(client, container, path);
  const extract = tar.extract();
  const files: { name: string; data: Buffer; header: tar.Header }[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        if (header.type === "file") files.push({ name: header.name, data: Buffer.concat(chunks), header });
        next();
      });
      stream.on("error", reject);
    });
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return files;
}
