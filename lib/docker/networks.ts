import type { DockerClient } from "./client";
import { toDockerError } from "./errors";

export interface NetworkInfo {
  id: string;
  name: string;
  driver: string;
  internal: boolean;
  labels: Record<string, string>;
  /** container id → container name */
  containers: Record<string, string>;
}

export async function listNetworks(client: DockerClient): Promise<NetworkInfo[]> {
  try {
    const list = await client.api.listNetworks();
    return list.map((n) => ({
      id: n.Id,
      name: n.Name,
      driver: n.Driver,
      internal: n.Internal,
      labels: n.Labels ?? {},
      containers: Object.fromEntries(Object.entries(n.Containers ?? {}).map(([id, c]) => [id, c.Name])),
    }));
  } catch (error) {
    throw toDockerError(error, client.host, "Listing networks");
  }
}

export async function createNetwork(
  client: DockerClient,
  name: string,
  options: { internal?: boolean; labels?: Record<string, string> } = {},
): Promise<string> {
  try {
    const network = await client.api.createNetwork({
      Name: name,
      Driver: "bridge",
      Internal: options.internal ?? false,
      Labels: options.labels,
    });
    return network.id;
  } catch (error) {
    throw toDockerError(error, client.host, `Creating network ${name}`);
  }
}

export async function connectNetwork(
  client: DockerClient,
  network: string,
  container: string,
  aliases: string[] = [],
): Promise<void> {
  try {
    await client.api.getNetwork(network).connect({ Container: container, EndpointConfig: { Aliases: aliases } });
  } catch (error) {
    throw toDockerError(error, client.host, `Connecting ${container} to network ${network}`);
  }
}

export async function disconnectNetwork(client: DockerClient, network: string, container: string): Promise<void> {
  try {
    await client.api.getNetwork(network).disconnect({ Container: container, Force: true });
  } catch (error) {
    throw toDockerError(error, client.host, `Disconnecting ${container} from network ${network}`);
  }
}

export async function removeNetwork(client: DockerClient, network: string): Promise<void> {
  try {
    await client.api.getNetwork(network).remove();
  } catch (error) {
    throw toDockerError(error, client.host, `Removing network ${network}`);
  }
}
