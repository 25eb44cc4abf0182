import type { DockerClient } from "./client";
import { toDockerError } from "./errors";

export interface VolumeInfo {
  name: string;
  driver: string;
  mountpoint: string;
  labels: Record<string, string>;
}

export async function listVolumes(client: DockerClient): Promise<VolumeInfo[]> {
  try {
    const { Volumes } = await client.api.listVolumes();
    return (Volumes ?? []).map((v) => ({
      name: v.Name,
      driver: v.Driver,
      mountpoint: v.Mountpoint,
      labels: v.Labels ?? {},
    }));
  } catch (error) {
    throw toDockerError(error, client.host, "Listing volumes");
  }
}

export async function createVolume(
  client: DockerClient,
  name: string,
  labels: Record<string, string> = {},
): Promise<VolumeInfo> {
  try {
    const v = (await client.api.createVolume({ Name: name, Labels: labels })) as unknown as {
      Name: string;
      Driver: string;
      Mountpoint: string;
      Labels: Record<string, string> | null;
    };
    return { name: v.Name, driver: v.Driver, mountpoint: v.Mountpoint, labels: v.Labels ?? {} };
  } catch (error) {
    throw toDockerError(error, client.host, `Creating volume ${name}`);
  }
}

export async function removeVolume(client: DockerClient, name: string): Promise<void> {
  try {
    await client.api.getVolume(name).remove();
  } catch (error) {
    throw toDockerError(error, client.host, `Removing volume ${name}`);
  }
}
