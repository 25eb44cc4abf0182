import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { putArchive, type DockerClient } from "../../docker";

/**
 * The two tar chores of backups: listing every entry of an uploads archive as
 * it streams by (regular files hashed on the way, links recorded with their
 * targets, never followed), and putting one streamed file into a container
 * (the archive API takes tar only) without holding it.
 */

/** What an uploads tree holds, as the tar records it. Hard links point at an earlier entry's path. */
export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TarEntry {
  path: string;
  /** Absent in restore points written before links were recorded: a regular file. */
  type?: TarEntryType;
  /** Bytes of a regular file (0 for every other type). */
  size: number;
  /** SHA-256 of a regular file's bytes; absent for other types. */
  sha256?: string;
  /** A symbolic link's target as stored (relative or absolute), or the path a hard link shares its data with. */
  target?: string;
  mode: number;
  uid: number;
  gid: number;
  /** Modification time, seconds since the epoch (what the archive keeps). */
  mtime?: number;
}

const typeOf = (type: string | null | undefined): TarEntryType => {
  switch (type) {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "directory";
    case "symlink":
      return "symlink";
    case "link":
      return "hardlink";
    default:
      return "other";
  }
};

/** A tar sink that reports every entry: regular files with size and SHA-256, links with their targets. */
export function tarEntryLister(onEntry: (entry: TarEntry) => void) {
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    // A broken archive fails the extractor (and its pipeline); the entry's own copy of the error is not news.
    stream.on("error", () => undefined);
    const type = typeOf(header.type);
    const common = {
      path: header.name,
      type,
      // Permission bits only (some writers add the file type's bits).
      mode: (header.mode ?? 0) & 0o7777,
      uid: header.uid ?? 0,
      gid: header.gid ?? 0,
      mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
    };
    if (type !== "file") {
      stream.resume();
      stream.on("end", () => {
        onEntry({
          ...common,
          size: 0,
          ...(type === "symlink" || type === "hardlink" ? { target: header.linkname ?? "" } : {}),
        });
        next();
      });
      return;
    }
    const hash = createHash("sha256");
    let size = 0;
    stream.on("data", (chunk: unknown) => {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    });
    stream.on("end", () => {
      onEntry({ ...common, size, sha256: hash.digest("hex") });
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

/**
 * Re-root a tar stream: every entry name (and every hard link's target) gains
 * `prefix`. The uploads archive names entries uploads/…; put back at / as
 * elabftw/uploads/…, a relative symbolic link that leaves the uploads tree is
 * re-created as it was, where Docker refuses it when extracting at /elabftw
 * ("invalid symlink"). Entries stream through; nothing is held.
 */
export function rebaseTar(source: Readable, prefix: string): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on("entry", (header, stream, next) => {
    const rebased = {
      ...header,
      name: `${prefix}${header.name}`,
      ...(header.type === "link" && header.linkname ? { linkname: `${prefix}${header.linkname}` } : {}),
    };
    // tar-stream's pack wants no pax of its own here: it writes long and non-ASCII names itself.
    delete (rebased as { pax?: unknown }).pax;
    const sink = pack.entry(rebased, (error) => (error ? extract.destroy(error) : next()));
    stream.on("error", (error) => sink.destroy(error));
    stream.pipe(sink);
  });
  extract.on("finish", () => pack.finalize());
  extract.on("error", (error) => pack.destroy(error));
  source.on("error", (error) => extract.destroy(error));
  source.pipe(extract);
  return pack as unknown as Readable;
}
