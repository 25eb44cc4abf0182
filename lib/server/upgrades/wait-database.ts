import { containerLogs, inspectContainer, type DockerClient } from "../../docker";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import { waitFor } from "../operations/wait-for";

/**
 * Until a database container runs and is healthy (or has no healthcheck). With `stoppedFails`, a
 * container that is not running fails at once with its last log lines (a server that refused to
 * start will not start by waiting); without it, it is waited for (something may start it again).
 */
export function waitForDatabaseContainer(
  client: DockerClient,
  container: string,
  options: { timeoutMs: number; hint: string; stoppedFails?: { hint: string } },
): Promise<null> {
  return waitFor(
    "The database container becoming healthy",
    { timeoutMs: options.timeoutMs, intervalMs: 500, hint: options.hint },
    async () => {
      const c = await inspectContainer(client, container);
      if (!c.state.running) {
        if (!options.stoppedFails) return { done: false, detail: "it is not running" };
        const lines: string[] = [];
        for await (const l of containerLogs(client, c.id, { tail: 6 })) lines.push(l.text);
        throw new AppError(
          "unavailable",
          msg`MySQL stopped (exit ${c.state.exitCode}): ${lines.join(" ").slice(-400)}`,
          {
            hint: options.stoppedFails.hint,
          },
        );
      }
      return c.state.health === "healthy" || c.state.health === "none"
        ? { done: true, value: null }
        : { done: false, detail: `health ${c.state.health}` };
    },
  );
}
