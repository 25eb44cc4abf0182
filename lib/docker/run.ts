import type Dockerode from "dockerode";
import type { DockerClient } from "./client";
import { createContainer, removeContainer, startContainer, waitContainer } from "./containers";
import { DockerError, streamError, toDockerError } from "./errors";
import { demux } from "./demux";
import type { Writable } from "node:stream";
import { containerLogs } from "./logs";
import { msg } from "../i18n/message";

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a throw-away container to completion and collect what it printed
 * (free-space probes, `bin/init tools:genkey`). The container is removed
 * whatever happens; past `timeoutMs` it is killed and the call fails.
 */
export async function runToCompletion(
  client: DockerClient,
  body: Dockerode.ContainerCreateOptions,
  options: { timeoutMs?: number; maxLines?: number } = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const id = await createContainer(client, body);
  let timer: NodeJS.Timeout | undefined;
  try {
    await startContainer(client, id);
    const exitCode = await Promise.race([
      waitContainer(client, id),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new DockerError(
                "timeout",
                msg`${body.Image ?? "The container"} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
                {
                  hint: "The host may be overloaded; try again later.",
                },
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
    let stdout = "";
    let stderr = "";
    for await (const line of containerLogs(client, id, { tail: options.maxLines ?? 1_000 })) {
      if (line.stream === "stdout") stdout += `${line.text}\n`;
      else stderr += `${line.text}\n`;
    }
    return { exitCode, stdout, stderr };
  } finally {
    clearTimeout(timer);
    await removeContainer(client, id, { force: true }).catch(() => undefined);
  }
}

export interface AttachedRun {
  /** Fed to the container's stdin with backpressure, then closed (the process sees end of file). */
  stdin?: NodeJS.ReadableStream;
  stdout: Writable;
  stderr: Writable;
  /** Past it the container is killed and the call fails. */
  timeoutMs?: number;
  /** Kills the container: the call then fails with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Run a throw-away container attached, as `docker run -i --rm` does: its
 * stdin fed from a stream, its stdout and stderr streamed into sinks with
 * backpressure (nothing buffered here, whatever the size), its exit code
 * returned. The container is removed whatever happens; a kill (timeout,
 * abort, the panel's own end) leaves nothing running.
 */
export async function runAttached(
  client: DockerClient,
  body: Dockerode.ContainerCreateOptions,
  run: AttachedRun,
): Promise<number> {
  const withStdin = run.stdin !== undefined;
  const id = await createContainer(client, {
    ...body,
    AttachStdin: withStdin,
    OpenStdin: withStdin,
    StdinOnce: withStdin,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const action = `Running ${body.Image ?? "a helper"}`;
  let timer: NodeJS.Timeout | undefined;
  let stream: NodeJS.ReadWriteStream | undefined;
  // The container itself goes in `finally` (a forced removal kills it): one removal, awaited.
  const kill = () => (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  try {
    try {
      stream = (await client.stream.getContainer(id).attach({
        stream: true,
        stdin: withStdin,
        stdout: true,
        stderr: true,
        hijack: withStdin,
      })) as NodeJS.ReadWriteStream;
    } catch (error) {
      throw toDockerError(error, client.host, action);
    }
    stream.on("error", () => undefined);
    const stopped = new Promise<never>((_, reject) => {
      if (run.timeoutMs) {
        timer = setTimeout(() => {
          reject(
            new DockerError(
              "timeout",
              msg`${body.Image ?? "The container"} did not finish within ${Math.round((run.timeoutMs ?? 0) / 1000)} s.`,
              { hint: "The host may be overloaded; try again later." },
            ),
          );
          kill();
        }, run.timeoutMs);
      }
      if (run.signal) {
        const onAbort = () => {
          reject(run.signal?.reason instanceof Error ? run.signal.reason : new Error("stopped"));
          kill();
        };
        if (run.signal.aborted) onAbort();
        else run.signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    stopped.catch(() => undefined);
    await startContainer(client, id);
    const output = demux(stream as unknown as AsyncIterable<Buffer>, run.stdout, run.stderr).catch((error: unknown) => {
      throw streamError(error, client.host, action);
    });
    const input = withStdin ? feed(run.stdin!, stream) : Promise.resolve();
    // Awaited below, but one may fail while the other is awaited (or after a kill): never unhandled.
    output.catch(() => undefined);
    input.catch(() => undefined);
    const exitCode = await Promise.race([
      (async () => {
        await input;
        await output;
        return waitContainer(client, id);
      })(),
      stopped,
    ]);
    return exitCode;
  } finally {
    clearTimeout(timer);
    await removeContainer(client, id, { force: true }).catch(() => undefined);
  }
}

/** Copy `source` into the attach stream with backpressure, then half-close it (end of file for the process). */
async function feed(source: NodeJS.ReadableStream, sink: NodeJS.ReadWriteStream): Promise<void> {
  const writable = sink as unknown as Writable;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (!writable.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          writable.off("drain", drained);
          writable.off("close", closed);
          if (error) reject(error);
          else resolve();
        };
        const drained = () => done();
        const closed = () => done(new Error("the helper container closed its input"));
        writable.on("drain", drained);
        writable.on("close", closed);
      });
    }
  }
  writable.end();
}
