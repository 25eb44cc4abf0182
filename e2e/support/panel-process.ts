import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import path from "node:path";
import { freePort } from "../../test/support/ports";
export { freePort };

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

export interface PanelProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Ctrl-C, then wait for the exit; returns the exit code. */
  stop: () => Promise<number | null>;
}

/**
 * Start the panel exactly as `npm start` does (scripts/start.ts), with only
 * the environment given here plus PATH/HOME, and wait until it answers.
 */
export async function startPanel(options: {
  env: Record<string, string>;
  port: number;
  logFile: string;
  timeoutMs?: number;
  /** Status of GET / that means "up" (a panel that refuses loopback answers 403). */
  readyStatus?: number;
}): Promise<PanelProcess> {
  // The same command line as `npm start` (package.json), without npm around it.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PANEL_PORT: String(options.port),
      // WebAuthn needs a domain as relying party ID: localhost, not an IP address.
      PANEL_URL: `http://localhost:${options.port}`,
      ...options.env,
    } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const log = createWriteStream(options.logFile, { flags: "a" });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      log.write(chunk);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://localhost:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let ready = false;
  while (!ready) {
    if (child.exitCode !== null)
      throw new Error(`The panel exited with code ${child.exitCode} before answering:\n${text}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`The panel did not answer on ${url} in time:\n${text}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${options.port}/`, { redirect: "manual" });
      // Signed out, / answers with a redirect to the sign-in page.
      ready = res.status === (options.readyStatus ?? 307);
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return {
    child,
    url,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGINT");
      const code = await exited;
      log.end();
      return code;
    },
  };
}
