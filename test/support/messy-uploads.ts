import { createHash, randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import { execCapture, putArchive, type DockerClient } from "../../lib/docker";
import { rebaseTar, type TarEntry } from "../../lib/server/backups/tar-files";

/**
 * An uploads tree messier than a real lab's: symbolic links of every kind
 * (relative, absolute, dangling, out of the tree, to a directory), a hard
 * link, empty directories, a 0-byte file, names in NFD, with quotes, emoji,
 * spaces and a newline, files of another owner and mode, old times. And the
 * rows eLabFTW would have for the ones it serves (some through links).
 */
const day = (n: number) => new Date(Date.UTC(2023, 0, n, 9, 30, 0));
const owned = { uid: 101, gid: 101 };

type Seed =
  | { kind: "dir"; name: string; mode: number; uid?: number; gid?: number; mtime: Date }
  | { kind: "file"; name: string; data: Buffer; mode: number; uid?: number; gid?: number; mtime: Date; row?: boolean }
  | { kind: "symlink"; name: string; target: string; mtime: Date; row?: boolean }
  | { kind: "hardlink"; name: string; target: string; row?: boolean };

export function messyUploads() {
  const seeds: Seed[] = [
    { kind: "dir", name: "ab", mode: 0o755, mtime: day(2) },
    { kind: "file", name: "ab/abc123.pdf", data: randomBytes(70_000), mode: 0o640, mtime: day(3), row: true },
    { kind: "file", name: "ab/abd456.png", data: randomBytes(65_536), mode: 0o640, mtime: day(4), row: true },
    { kind: "hardlink", name: "ab/hard.pdf", target: "ab/abc123.pdf", row: true },
    { kind: "dir", name: "cd", mode: 0o755, mtime: day(5) },
    {
      kind: "file",
      name: "cd/cdef.txt",
      data: Buffer.from("une note d'expérience\n"),
      mode: 0o640,
      mtime: day(6),
      row: true,
    },
    { kind: "file", name: "zero.bin", data: Buffer.alloc(0), mode: 0o644, mtime: day(7) },
    { kind: "dir", name: "odd", mode: 0o755, mtime: day(8) },
    { kind: "file", name: "odd/e\u0301te\u0301 notes.txt", data: Buffer.from("NFD\n"), mode: 0o644, mtime: day(9) },
    {
      kind: "file",
      name: `odd/it's "quoted" 🧪.txt`,
      data: Buffer.from("q\n"),
      mode: 0o644,
      mtime: day(10),
      row: true,
    },
    { kind: "file", name: "odd/new\nline.txt", data: Buffer.from("nl\n"), mode: 0o644, mtime: day(11) },
    { kind: "file", name: "odd/  two spaces .txt", data: Buffer.from("sp\n"), mode: 0o644, mtime: day(12) },
    { kind: "dir", name: "private", mode: 0o700, uid: 0, gid: 0, mtime: day(13) },
    {
      kind: "file",
      name: "private/root-only.txt",
      data: Buffer.from("r\n"),
      mode: 0o600,
      uid: 0,
      gid: 0,
      mtime: day(14),
    },
    { kind: "dir", name: "empty", mode: 0o700, mtime: day(15) },
    { kind: "dir", name: "legacy", mode: 0o750, mtime: day(16) },
    { kind: "symlink", name: "legacy/latest results.csv", target: "../cd/cdef.txt", mtime: day(17), row: true },
    {
      kind: "symlink",
      name: "legacy/from-elsewhere.png",
      target: "/elabftw/uploads/ab/abd456.png",
      mtime: day(18),
      row: true,
    },
    { kind: "symlink", name: "legacy/dangling", target: "gone.pdf", mtime: day(19) },
    { kind: "symlink", name: "legacy/outside", target: "../../../etc/hostname", mtime: day(20) },
    { kind: "symlink", name: "legacy/absolute-outside", target: "/etc/hostname", mtime: day(21) },
    { kind: "symlink", name: "legacy/dir-link", target: "../ab", mtime: day(22) },
  ];
  const files = seeds.filter((s): s is Extract<Seed, { kind: "file" }> => s.kind === "file");
  const dataOf = (name: string) => files.find((f) => f.name === name)!.data;
  /** Upload rows as eLabFTW stores them (long_name, real_name, filesize, hash), for the files it serves. */
  const rows = seeds
    .filter((s) => "row" in s && s.row)
    .map((s) => {
      const data =
        s.kind === "file"
          ? s.data
          : s.kind === "hardlink"
            ? dataOf(s.target)
            : dataOf(s.name === "legacy/latest results.csv" ? "cd/cdef.txt" : "ab/abd456.png");
      return { longName: s.name, data, sha256: createHash("sha256").update(data).digest("hex") };
    });
  const regularFiles = files.length;
  return { seeds, rows, regularFiles };
}

export const uploadRowsSql = (rows: ReturnType<typeof messyUploads>["rows"]) =>
  rows
    .map(
      (r) =>
        `INSERT INTO uploads (real_name, long_name, type, userid, filesize, hash) VALUES (${sqlString(r.longName.split("/").pop()!)}, ${sqlString(r.longName)}, 'experiments', 1, ${r.data.length}, '${r.sha256}');`,
    )
    .join(" ");

const sqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/** Put the tree into a container's /elabftw/uploads (which the archive API extracts with owners, modes and times). */
export async function seedUploads(client: DockerClient, container: string, seeds: Seed[]): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: "uploads/", type: "directory", mode: 0o755, ...owned, mtime: day(1) });
  for (const s of seeds) {
    const name = `uploads/${s.name}`;
    if (s.kind === "dir")
      pack.entry({
        name: `${name}/`,
        type: "directory",
        mode: s.mode,
        uid: s.uid ?? 101,
        gid: s.gid ?? 101,
        mtime: s.mtime,
      });
    else if (s.kind === "file")
      pack.entry({ name, mode: s.mode, uid: s.uid ?? 101, gid: s.gid ?? 101, mtime: s.mtime }, s.data);
    else if (s.kind === "symlink")
      pack.entry({ name, type: "symlink", linkname: s.target, mode: 0o777, ...owned, mtime: s.mtime });
    else pack.entry({ name, type: "link", linkname: `uploads/${s.target}`, mode: 0o640, ...owned, mtime: day(3) });
  }
  pack.finalize();
  // At / with elabftw/ in every name: Docker refuses a relative link out of the directory it extracts into.
  await putArchive(client, container, "/", rebaseTar(pack as unknown as Readable, "elabftw/"));
}

/** One entry of a live tree, as `find` and `sha256sum` see it inside the container (links not followed). */
export interface LiveEntry {
  type: "f" | "d" | "l" | string;
  target: string;
  size: number | null;
  sha256: string | null;
  uid: number;
  gid: number;
  mode: number;
  mtime: number;
  inode: string;
}

/** The whole uploads tree of a container, read with find(1) and sha256sum(1): the test's own eyes, not the panel's code. */
export async function liveTree(client: DockerClient, container: string): Promise<Record<string, LiveEntry>> {
  const listed = await execCapture(client, container, {
    cmd: ["sh", "-c", "cd /elabftw && find uploads -printf '%y\\t%l\\t%s\\t%U\\t%G\\t%m\\t%T@\\t%i\\t%p\\0'"],
  });
  if (listed.exitCode !== 0) throw new Error(`find failed: ${listed.stderr}`);
  const sums = await execCapture(client, container, {
    cmd: ["sh", "-c", "cd /elabftw && find uploads -type f -exec sha256sum -z {} +"],
  });
  if (sums.exitCode !== 0) throw new Error(`sha256sum failed: ${sums.stderr}`);
  const sha = new Map(
    sums.stdout
      .split("\0")
      .filter(Boolean)
      .map((l) => [l.slice(66), l.slice(0, 64)] as const),
  );
  const tree: Record<string, LiveEntry> = {};
  for (const record of listed.stdout.split("\0").filter(Boolean)) {
    const [type, target, size, uid, gid, mode, mtime, inode, ...rest] = record.split("\t");
    const p = rest.join("\t");
    tree[p] = {
      type: type!,
      target: target!,
      size: type === "f" ? Number(size) : null,
      sha256: type === "f" ? (sha.get(p) ?? null) : null,
      uid: Number(uid),
      gid: Number(gid),
      mode: parseInt(mode!, 8),
      mtime: Math.floor(Number(mtime)),
      inode: inode!,
    };
  }
  return tree;
}

/** The tree without inode numbers (which a restore changes), hard links told by shared inodes instead. */
export function comparableTree(tree: Record<string, LiveEntry>) {
  const byInode = new Map<string, string[]>();
  for (const [p, e] of Object.entries(tree))
    if (e.type === "f") byInode.set(e.inode, [...(byInode.get(e.inode) ?? []), p]);
  return Object.fromEntries(
    Object.entries(tree).map(([p, { inode, ...e }]) => [
      p,
      {
        ...e,
        sameFileAs: e.type === "f" ? (byInode.get(inode) ?? []).filter((o) => o !== p).sort() : [],
      },
    ]),
  );
}

/** What the manifest says of each entry, in the live tree's terms (a hard link is a file sharing its data). */
export function manifestAsLive(entries: readonly TarEntry[]) {
  const byPath = new Map(entries.map((e) => [e.path.replace(/\/$/, ""), e]));
  return Object.fromEntries(
    entries.map((e) => {
      const p = e.path.replace(/\/$/, "");
      const data = e.type === "hardlink" ? byPath.get(e.target!)! : e;
      const letters: Record<string, string> = { file: "f", directory: "d", symlink: "l", hardlink: "f" };
      const type = letters[e.type ?? "file"] ?? "?";
      return [
        p,
        {
          type,
          target: e.type === "symlink" ? e.target! : "",
          size: type === "f" ? data.size : null,
          sha256: type === "f" ? (data.sha256 ?? null) : null,
          uid: e.uid,
          gid: e.gid,
          mode: e.mode,
          mtime: e.mtime ?? 0,
        },
      ];
    }),
  );
}
