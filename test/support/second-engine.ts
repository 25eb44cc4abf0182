import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { connect, listContainers, removeContainer, type DockerClient } from "../../lib/docker";
import { TEST_REGISTRY } from "./docker";

/**
 * A Docker engine of a test's own, for what must not happen to the shared
 * one: restarting the daemon (a host reboot, as far as containers can tell).
 * Same registry mirror as the shared engine, its own socket, data and exec
 * roots, no default bridge (user-defined networks only) and its own address
 * pool. `restart()` stops the daemon (its containers stop with it) and starts
 * it again: restart policies then decide what comes back.
 */
export async function startSecondEngine(label: string, options: { mirror?: string; addressPool?: string } = {}) {
  const dir = path.join(process.env.PL_TEST_DIR ?? "/tmp/pl-test", `engine-${label}-${randomBytes(3).toString("hex")}`);
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, "docker.sock");
  let daemon: ChildProcess | null = null;

  async function start(): Promise<DockerClient> {
    daemon = spawn(
      "dockerd",
      [
        "--host",
        `unix://${socket}`,
        "--data-root",
        path.join(dir, "data"),
        "--exec-root",
        path.join(dir, "exec"),
        "--pidfile",
        path.join(dir, "docker.pid"),
        "--registry-mirror",
        options.mirror ?? TEST_REGISTRY,
        "--bridge",
        "none",
        "--iptables=false",
        "--ip-masq=false",
        "--storage-driver",
        "overlay2",
        "--default-address-pool",
        // Its own pool: two such engines may run at once (their networks must not overlap).
        `base=${options.addressPool ?? "10.214.0.0/16"},size=24`,
      ],
      {
        env: {
          ...process.env,
          HTTP_PROXY: "http://127.0.0.1:9",
          HTTPS_PROXY: "http://127.0.0.1:9",
          NO_PROXY: "127.0.0.1,localhost",
        },
        stdio: "ignore",
        detached: true,
      },
    );
    for (let i = 0; i < 240; i++) {
      try {
        return await connect({ kind: "socket", name: `engine-${label}`, socketPath: socket });
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error(`the second Docker engine did not start (see ${dir})`);
  }

  async function stop(): Promise<void> {
    const d = daemon;
    if (!d || d.exitCode !== null) return;
    const exited = new Promise((resolve) => d.once("exit", resolve));
    d.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
    daemon = null;
  }

  let client = await start();
  return {
    socket,
    get client() {
      return client;
    },
    /** Stop the daemon and start it again; resolves with a fresh client. */
    async restart(): Promise<DockerClient> {
      await stop();
      client = await start();
      return client;
    },
    async destroy(): Promise<void> {
      // Containers first, so that nothing keeps the data root busy.
      try {
        for (const c of await listContainers(client, { all: true })) {
          await removeContainer(client, c.id, { force: true, volumes: true }).catch(() => undefined);
        }
      } catch {
        // the engine is already gone
      }
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A relay in front of the test registry, to be used as an engine's mirror:
 * it passes everything through until `breakBlobs()`, after which every
 * image layer download is cut after its first 512 bytes (manifests still
 * answer), as a network that fails in the middle of a pull.
 */
export async function startRegistryRelay() {
  const { createServer, connect: connectTcp } = await import("node:net");
  const upstream = new URL(TEST_REGISTRY);
  let breaking = false;
  let cuts = 0;
  const server = createServer((client) => {
    const up = connectTcp(Number(upstream.port), upstream.hostname);
    client.on("error", () => undefined);
    up.on("error", () => undefined);
    let blob = false;
    let down = 0;
    client.on("data", (chunk: Buffer) => {
      if (breaking && /^GET [^ ]*\/blobs\//m.test(chunk.toString("latin1"))) blob = true;
      up.write(chunk);
    });
    up.on("data", (chunk: Buffer) => {
      down += chunk.length;
      if (blob && down > 512) {
        cuts++;
        client.destroy();
        up.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on("close", () => up.destroy());
    up.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    breakBlobs: () => (breaking = true),
    /** Layer downloads cut so far. */
    cuts: () => cuts,
    repair: () => (breaking = false),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
