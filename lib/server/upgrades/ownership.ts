import type { Readable } from "node:stream";
import tar from "tar-stream";
import {
  createContainer,
  createVolume,
  putArchive,
  readSmallFiles,
  removeContainer,
  removeVolume,
  runToCompletion,
  type ContainerCreateBody,
  type DockerClient,
} from "../../docker";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import { parseManifest, RECORD_AND_CHOWN, restorePlan, RUN_AS, type LayoutMove } from "./layout-move";

/**
 * Giving an instance's data to the user a 6.0 container runs as, and giving it back on a rollback.
 * Both run in a root helper of the target image on the web host, with the data mounted under /data
 * and the record of what was changed (paths, owners, modes) in a volume of its own: the record
 * survives a panel that dies mid-upgrade, and goes only when the upgrade is committed or undone.
 */
const LABELS = { "net.paillasse.managed": "true", "net.paillasse.helper": "ownership" };

function helperBody(image: string, move: LayoutMove, manifest: string, cmd: string[]): ContainerCreateBody {
  return {
    Image: image,
    User: "0:0",
    Entrypoint: ["sh", "-c"],
    Cmd: cmd,
    Labels: LABELS,
    NetworkDisabled: true,
    HostConfig: {
      Binds: [...move.mounts.map((m) => `${m.source}:/data/${m.role}`), `${manifest}:/manifest`],
      NetworkMode: "none",
      RestartPolicy: { Name: "no" },
    },
  };
}

/** The volume that keeps an upgrade's ownership record. */
export const ownershipVolumeName = (operationId: string) =>
  `paillasse-owners-${operationId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")
    .slice(0, 24)}`;

/** Records who owned what, then chowns it to `move.runAs`. Returns how many entries changed owner. */
export async function recordAndChown(
  client: DockerClient,
  image: string,
  move: LayoutMove,
  manifest: string,
): Promise<number> {
  const [, uid, gid] = RUN_AS.exec(move.runAs) ?? [];
  if (!uid || !gid) throw new Error(`${move.runAs} is not uid:gid`);
  await createVolume(client, manifest, LABELS);
  const result = await runToCompletion(
    client,
    helperBody(image, move, manifest, [RECORD_AND_CHOWN, "sh", uid, gid, ...move.mounts.map((m) => m.role)]),
    { timeoutMs: 30 * 60_000 },
  );
  const changed = /changed (\d+)/.exec(result.stdout);
  if (result.exitCode !== 0 || !changed) {
    throw new AppError(
      "unavailable",
      msg`Giving the data to ${move.runAs} failed (exit ${result.exitCode}): ${result.stderr.trim().slice(-300) || "no message"}.`,
      {
        hint: "Nothing was started on the new version; the upgrade is rolled back. Check the data directories on the host.",
      },
    );
  }
  return Number(changed[1]);
}

async function readManifest(client: DockerClient, image: string, move: LayoutMove, manifest: string) {
  const reader = `paillasse-owners-read-${Math.random().toString(36).slice(2, 10)}`;
  await createContainer(client, { ...helperBody(image, move, manifest, ["true"]), name: reader });
  try {
    const files: Record<string, Buffer> = {};
    for (const f of await readSmallFiles(client, reader, "/manifest"))
      files[f.name.replace(/^manifest\//, "")] = f.data;
    return { reader, files };
  } catch (error) {
    await removeContainer(client, reader, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Puts back the owners and modes recorded before the chown. A record that was never written whole
 * means nothing was chowned (the chown runs after it): there is nothing to restore. Returns how many
 * entries were restored, or null when there was no record.
 */
export async function restoreOwnership(
  client: DockerClient,
  image: string,
  move: LayoutMove,
  manifest: string,
): Promise<number | null> {
  const { reader, files } = await readManifest(client, image, move, manifest);
  try {
    if (!files["paths"] || files["owners"] === undefined) return null;
    const records = parseManifest(files["paths"], files["owners"].toString("utf8"));
    const plan = restorePlan(records);
    const pack = tar.pack();
    pack.entry({ name: "restore", type: "directory", mode: 0o700 });
    for (const [name, data] of Object.entries(plan.files)) pack.entry({ name: `restore/${name}`, mode: 0o600 }, data);
    pack.finalize();
    await putArchive(client, reader, "/manifest", pack as unknown as Readable);
    const result = await runToCompletion(client, helperBody(image, move, manifest, [plan.script]), {
      timeoutMs: 30 * 60_000,
    });
    if (result.exitCode !== 0) {
      throw new AppError(
        "unavailable",
        msg`Putting back the data's owners failed (exit ${result.exitCode}): ${result.stderr.trim().slice(-300) || "no message"}.`,
        { hint: msg`The record is kept in volume ${manifest}; the rollback can be run again.` },
      );
    }
    return records.length;
  } finally {
    await removeContainer(client, reader, { force: true }).catch(() => undefined);
  }
}

/** Removes the record (after a commit, or once a rollback has put the owners back). */
export async function dropOwnershipRecord(client: DockerClient, manifest: string): Promise<void> {
  await removeVolume(client, manifest).catch((error: { failure?: string }) => {
    if (error?.failure !== "not_found") throw error;
  });
}
