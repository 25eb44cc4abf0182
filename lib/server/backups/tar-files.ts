import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { putArchive, type DockerClient } from "../../docker";

/**
 * The two tar chores of backups: hashing every file of an uploads archive as
 * it streams by, and putting one streamed file into a container (the archive
 * API takes tar only) without holding it.
 */
export interface TarFile {
  path: string;
  size: number;
  sha256: string;
  mode: number;
  uid: number;
  gid: number;
}

/** A tar sink that reports each regular file with its size and SHA-256 (other entries are skipped). */
export function tarFileHasher(onFile: (file: TarFile) => void) {
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    // A broken archive fails the extractor (and its pipeline); the entry's own copy of the error is not news.
    stream.on("error", () => undefined);
    if (header.type !== "file") {
      stream.resume();
      stream.on("end", next);
      return;
    }
    const hash = createHash("sha256");
    let size = 0;
    stream.on("data", (chunk: unknown) => {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    });
    stream.on("end", () => {
      onFile({
        path: header.name,
        size,
        sha256: hash.digest("hex"),
        mode: header.mode ?? 0,
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
      });
      next();
    });
  });
  return extract;
}

export class UnreadableSource extends Error {}

/**
 * Stream `content` (exactly `size` bytes) into `directory/name` of a container.
 * A source that fails or whose length differs rejects with UnreadableSource
 * (the tar entry checks the size), and nothing half-written is left behind by
 * the archive API.
 */
export async function putStreamedFile(
  client: DockerClient,
  container: string,
  directory: string,
  entry: { name: string; size: number; mode?: number },
  content: Readable,
): Promise<void> {
  const pack = tar.pack();
  const written = new Promise<void>((resolve, reject) => {
    const sink = pack.entry({ name: entry.name, size: entry.size, mode: entry.mode ?? 0o600 }, (error) =>
      error ? reject(error) : resolve(),
    );
    pipeline(content, sink).catch(reject);
  });
  const put = putArchive(client, container, directory, pack as unknown as Readable);
  try {
    await written;
  } catch (error) {
    pack.destroy(error as Error);
    await put.catch(() => undefined);
    throw new UnreadableSource((error as Error).message);
  }
  pack.finalize();
  await put;
}
