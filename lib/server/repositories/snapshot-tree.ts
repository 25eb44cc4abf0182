import type { DockerClient } from "../../docker";
import { msg } from "../../i18n/message";
import type { TarEntry } from "../backups/tar-files";
import type { OpenedRepository } from "./repository-secrets";
import { RESTIC_EXIT, resticFailure, runRestic } from "./restic";
import { SNAPSHOT_ROOT, SNAPSHOT_UPLOADS } from "./snapshots";

/** A node of `restic ls --json` (restic 0.17+: one JSON object a line). */
interface LsNode {
  message_type?: string;
  struct_type?: string;
  type: string;
  path: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: string;
  inode?: number;
}

/**
 * The uploads tree of a snapshot, entry by entry, in the terms the upload checks use (paths under
 * "uploads/", links with their targets): read from the repository's own listing, no data read.
 */
export async function listSnapshotTree(
  client: DockerClient,
  repo: OpenedRepository,
  snapshotId: string,
): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const byInode = new Map<number, string>();
  const take = (node: LsNode) => {
    if (node.struct_type !== "node" && node.message_type !== "node") return;
    if (!node.path.startsWith(`${SNAPSHOT_UPLOADS}/`) && node.path !== SNAPSHOT_UPLOADS) return;
    const path = node.path.slice(SNAPSHOT_ROOT.length + 1);
    let type: TarEntry["type"] =
      node.type === "dir" ? "directory" : node.type === "symlink" ? "symlink" : node.type === "file" ? "file" : "other";
    // A second name of the same inode is a hard link to the first, as an archive records it.
    let target: string | undefined;
    if (type === "file" && node.inode !== undefined) {
      const first = byInode.get(node.inode);
      if (first) {
        type = "hardlink";
        target = first;
      } else byInode.set(node.inode, path);
    }
    entries.push({
      path: path + (type === "directory" ? "/" : ""),
      type,
      size: type === "file" ? (node.size ?? 0) : 0,
      target,
      mode: (node.mode ?? 0) & 0o7777,
      uid: node.uid ?? 0,
      gid: node.gid ?? 0,
      mtime: node.mtime ? Math.floor(Date.parse(node.mtime) / 1000) : undefined,
    });
  };
  const result = await runRestic(client, repo, {
    args: ["ls", "--json", "--no-lock", "--recursive", snapshotId, SNAPSHOT_UPLOADS],
    onMessage: (m) => take(m as unknown as LsNode),
    timeoutMs: 900_000,
  });
  // Older restic (before message_type) prints nodes without it: they arrive as plain output lines.
  for (const line of result.output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      take(JSON.parse(line) as LsNode);
    } catch {
      // not a node
    }
  }
  if (result.exitCode !== RESTIC_EXIT.ok) {
    throw resticFailure(repo.name, msg`Listing snapshot ${snapshotId.slice(0, 8)}`, result);
  }
  // The JSON listing has no link targets: the long listing has them, after " -> ".
  const links = entries.filter((e) => e.type === "symlink");
  if (links.length) {
    const long = await runRestic(client, repo, {
      args: ["ls", "-l", "--no-lock", "--recursive", snapshotId, SNAPSHOT_UPLOADS],
      timeoutMs: 900_000,
    });
    if (long.exitCode !== RESTIC_EXIT.ok) {
      throw resticFailure(repo.name, msg`Listing snapshot ${snapshotId.slice(0, 8)}`, long);
    }
    const lines = long.output.split("\n");
    for (const link of links) {
      const marker = ` ${SNAPSHOT_ROOT}/${link.path} -> `;
      const line = lines.find((l) => l.includes(marker));
      if (line) link.target = line.slice(line.indexOf(marker) + marker.length);
    }
  }
  return entries;
}

/** The size of one file of a snapshot (the dump), from the repository's listing: no data read. */
export async function snapshotFileSize(
  client: DockerClient,
  repo: OpenedRepository,
  snapshotId: string,
  file: string,
): Promise<number | null> {
  let size: number | null = null;
  const result = await runRestic(client, repo, {
    args: ["ls", "--json", "--no-lock", snapshotId, file],
    onMessage: (m) => {
      const node = m as unknown as LsNode;
      if ((node.struct_type === "node" || node.message_type === "node") && node.path === file) size = node.size ?? 0;
    },
    timeoutMs: 300_000,
  });
  if (result.exitCode !== RESTIC_EXIT.ok) {
    throw resticFailure(repo.name, msg`Listing snapshot ${snapshotId.slice(0, 8)}`, result);
  }
  return size;
}
