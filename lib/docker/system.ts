import type { DockerClient } from "./client";
import { toDockerError } from "./errors";

export interface EngineInfo {
  /** The engine's own ID, stable across restarts and however it is reached. */
  id: string;
  name: string;
  engineVersion: string;
  apiVersion: string;
  operatingSystem: string;
  kernelVersion: string;
  architecture: string;
  cpus: number;
  memoryBytes: number;
  containers: number;
  containersRunning: number;
  images: number;
  dockerRootDir: string;
  storageDriver: string;
  registryMirrors: string[];
}

export async function getEngineInfo(client: DockerClient): Promise<EngineInfo> {
  try {
    const info = await client.api.info();
    return {
      id: String(info.ID ?? ""),
      name: info.Name,
      engineVersion: info.ServerVersion,
      apiVersion: client.apiVersion,
      operatingSystem: info.OperatingSystem,
      kernelVersion: info.KernelVersion,
      architecture: info.Architecture,
      cpus: info.NCPU,
      memoryBytes: info.MemTotal,
      containers: info.Containers,
      containersRunning: info.ContainersRunning,
      images: info.Images,
      dockerRootDir: info.DockerRootDir,
      storageDriver: info.Driver,
      registryMirrors: info.RegistryConfig?.Mirrors ?? [],
    };
  } catch (error) {
    throw toDockerError(error, client.host, "Reading the engine's information");
  }
}

export async function ping(client: DockerClient): Promise<void> {
  try {
    await client.api.ping();
  } catch (error) {
    throw toDockerError(error, client.host, "Pinging the engine");
  }
}
