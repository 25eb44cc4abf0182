import type Dockerode from "dockerode";
import type { DockerClient } from "./client";
import { createContainer, removeContainer, startContainer, waitContainer } from "./containers";
import { DockerError } from "./errors";
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
