import { randomBytes } from "node:crypto";
import {
  connect,
  listContainers,
  listNetworks,
  removeContainer,
  removeNetwork,
  type DockerClient,
  type HostConnection,
} from "../../lib/docker";

/** The private test engine started by scripts/test-env.sh (never the machine's own Docker). */
export const TEST_SOCKET = process.env.PL_TEST_DOCKER_SOCKET ?? "/tmp/pl-test/docker.sock";
export const TEST_REGISTRY = process.env.PL_TEST_REGISTRY ?? "http://127.0.0.1:5555";
export const BUSYBOX = "paillasse-fixture/busybox:1";
/** Every container a test creates carries this label, so cleanup never touches anything else. */
export const TEST_LABEL = "net.paillasse.test";

export const socketConnection: HostConnection = { kind: "socket", name: "test-engine", socketPath: TEST_SOCKET };

export async function testEngine(): Promise<DockerClient> {
  try {
    return await connect(socketConnection);
  } catch (error) {
    throw new Error(
      `The test Docker engine does not answer on ${TEST_SOCKET}: run \`bash scripts/test-env.sh up\` first (npm test does it). ${(error as Error).message}`,
    );
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Remove the containers a test run created (by label), whatever state they are in. */
export async function removeTestContainers(client: DockerClient, run: string): Promise<void> {
  const containers = await listContainers(client, { all: true, labels: [`${TEST_LABEL}=${run}`] });
  await Promise.all(
    containers.map((c) => removeContainer(client, c.id, { force: true, volumes: true }).catch(() => {})),
  );
  // And the run's networks: the engine's address pools are finite.
  const networks = (await listNetworks(client)).filter((n) => n.labels[TEST_LABEL] === run);
  await Promise.all(networks.map((n) => removeNetwork(client, n.name).catch(() => {})));
}
