import { PassThrough, Writable } from "node:stream";
import type { DockerClient } from "./client";
import { demux } from "./demux";
import { DockerError, streamError, toDockerError } from "./errors";
import { msg } from "../i18n/message";

export interface ExecOptions {
  cmd: string[];
  /** Extra environment, e.g. a password: never put secrets on the command line. */
  env?: Record<string, string>;
  user?: string;
  workingDir?: string;
}

export interface ExecResult {
  /** null when the engine could not tell (process still running, exec lost): a failure. */
  exitCode: number | null;
  stdoutBytes: number;
  stderrBytes: number;
}

/**
 * Run a command in a running container and stream its stdout and stderr into
 * the given sinks with backpressure. Resolves after the stream ends, with the
 * exit code read from the engine afterwards.
 */
export async function execStream(
  client: DockerClient,
  container: string,
  options: ExecOptions,
  sinks: { stdout: Writable; stderr: Writable },
): Promise<ExecResult> {
  const action = `Running ${options.cmd[0] ?? "a command"} in ${container}`;
  let exec;
  let stream: NodeJS.ReadWriteStream;
  try {
    exec = await client.api.getContainer(container).exec({
      Cmd: options.cmd,
      Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
      User: options.user,
      WorkingDir: options.workingDir,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    });
    // Start on the timeout-free client: output may pause for a long time.
    stream = await client.stream.getExec(exec.id).start({ hijack: true, stdin: false });
  } catch (error) {
    throw toDockerError(error, client.host, action);
  }
  // A connection that breaks after the reader has stopped must not become an uncaught error.
  stream.on("error", () => undefined);
  let counts;
  try {
    counts = await demux(stream as unknown as AsyncIterable<Buffer>, sinks.stdout, sinks.stderr);
  } catch (error) {
    (stream as unknown as { destroy?: () => void }).destroy?.();
    throw streamError(error, client.host, action);
  }
  const { stdoutBytes, stderrBytes } = counts;
  let exitCode;
  try {
    exitCode = await exitCodeOf(client, exec.id);
  } catch (error) {
    throw toDockerError(error, client.host, action);
  }
  return { exitCode, stdoutBytes, stderrBytes };
}

/** The exit code once the exec has stopped; null if it does not stop within a few seconds. */
async function exitCodeOf(client: DockerClient, execId: string): Promise<number | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await client.api.getExec(execId).inspect();
    if (!info.Running) return typeof info.ExitCode === "number" ? info.ExitCode : null;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

export interface CapturedExec {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run a short command and collect its output as text (console commands,
 * health probes). Output beyond `maxBytes` per stream is an error, not a
 * silent truncation.
 */
export async function execCapture(
  client: DockerClient,
  container: string,
  options: ExecOptions & { maxBytes?: number },
): Promise<CapturedExec> {
  const max = options.maxBytes ?? 4 * 1024 * 1024;
  const collect = (label: string) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max)
          return done(new DockerError("engine", msg`${label} of ${options.cmd.join(" ")} exceeded ${max} bytes.`));
        chunks.push(chunk);
        done();
      },
    });
    return { sink, text: () => Buffer.concat(chunks).toString("utf8") };
  };
  const out = collect("The output");
  const err = collect("The error output");
  const result = await execStream(client, container, options, { stdout: out.sink, stderr: err.sink });
  return { exitCode: result.exitCode, stdout: out.text(), stderr: err.text() };
}

/** A sink that discards data (for exec output nobody needs). */
export function discard(): Writable {
  return new PassThrough().resume();
}
