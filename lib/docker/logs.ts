import { PassThrough } from "node:stream";
import type { DockerClient } from "./client";
import { demux } from "./demux";
import { toDockerError } from "./errors";

export interface LogLine {
  stream: "stdout" | "stderr";
  /** Engine timestamp of the line. */
  at: Date | null;
  text: string;
}

/**
 * A container's log as an async sequence of lines. With `follow`, it goes on
 * until the container stops or `signal` aborts. Backpressure applies: lines
 * are read from the engine as fast as the consumer takes them.
 */
export async function* containerLogs(
  client: DockerClient,
  container: string,
  options: { follow?: boolean; tail?: number; since?: Date; signal?: AbortSignal } = {},
): AsyncGenerator<LogLine> {
  let raw: NodeJS.ReadableStream;
  try {
    raw = (await client.stream.getContainer(container).logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: (options.follow ?? false) as true,
      tail: options.tail ?? 200,
      since: options.since ? Math.floor(options.since.getTime() / 1000) : undefined,
    })) as unknown as NodeJS.ReadableStream;
  } catch (error) {
    throw toDockerError(error, client.host, `Reading the logs of ${container}`);
  }
  // Non-follow calls may come back as one buffer instead of a stream.
  const source: AsyncIterable<Buffer> | Iterable<Buffer> = Buffer.isBuffer(raw)
    ? [raw as Buffer]
    : (raw as unknown as AsyncIterable<Buffer>);
  const stdout = new PassThrough({ highWaterMark: 64 * 1024 });
  const stderr = new PassThrough({ highWaterMark: 64 * 1024 });
  const lines: LogLine[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown;
  const split = (stream: PassThrough, name: "stdout" | "stderr") => {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      rest += chunk.toString("utf8");
      let nl: number;
      while ((nl = rest.indexOf("\n")) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        const space = line.indexOf(" ");
        const stamp = space > 0 ? new Date(line.slice(0, space)) : null;
        const valid = stamp && !Number.isNaN(stamp.getTime());
        lines.push({ stream: name, at: valid ? stamp : null, text: valid ? line.slice(space + 1) : line });
      }
      wake?.();
    });
  };
  split(stdout, "stdout");
  split(stderr, "stderr");
  const abort = () => (raw as unknown as { destroy?: () => void }).destroy?.();
  options.signal?.addEventListener("abort", abort, { once: true });
  demux(source, stdout, stderr)
    .catch((error) => (failure = error))
    .finally(() => {
      finished = true;
      wake?.();
    });
  try {
    while (true) {
      while (lines.length) yield lines.shift()!;
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    if (failure && !options.signal?.aborted)
      throw toDockerError(failure, client.host, `Reading the logs of ${container}`);
  } finally {
    options.signal?.removeEventListener("abort", abort);
    abort();
  }
}
