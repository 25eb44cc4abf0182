import path from "node:path";
import type { TarEntry, TarEntryType } from "./tar-files";
import { msg, type Message } from "../../i18n/message";

/**
 * The uploads tree as a restore point's manifest records it, and the rule
 * eLabFTW itself applies when it serves an upload: it opens
 * /elabftw/uploads/<long_name>, so a symbolic link (or a directory that is one)
 * counts when it ends at a regular file. In the restore point, that file must
 * be inside the uploads tree: a link out of it is stored as a link, and what it
 * points to is not in the backup.
 */

/** The archive's root inside the container (getArchive of /elabftw/uploads names entries uploads/…). */
const CONTAINER_PARENT = "/elabftw";
const MAX_HOPS = 40; // as Linux's own limit on links followed in one lookup

export const entryType = (entry: Pick<TarEntry, "type">): TarEntryType => entry.type ?? "file";

const IMPLIED_DIRECTORY: TarEntry = { path: "", type: "directory", size: 0, mode: 0, uid: 0, gid: 0 };
const strip = (p: string) => p.replace(/\/+$/, "");

export class UploadTree {
  private readonly byPath = new Map<string, TarEntry>();
  /** Directories that hold entries but have none of their own (format 1 listed regular files only). */
  private readonly implied = new Set<string>();

  constructor(entries: readonly TarEntry[]) {
    for (const e of entries) {
      const key = strip(e.path);
      this.byPath.set(key, e);
      const parts = key.split("/");
      for (let i = 1; i < parts.length; i++) this.implied.add(parts.slice(0, i).join("/"));
    }
  }

  get(p: string): TarEntry | undefined {
    return this.byPath.get(strip(p));
  }

  /**
   * Follow `p` (a path like uploads/ab/x.pdf) the way the kernel would inside
   * the container: every component, symbolic links included, at most 40 hops.
   * Returns the regular file it ends at, or why it does not.
   */
  resolve(
    p: string,
  ): { file: TarEntry; path: string } | { problem: "missing" | "outside" | "dangling" | "loop" | "not a file" } {
    let pending = strip(p).split("/").filter(Boolean);
    let done: string[] = [];
    let hops = 0;
    while (pending.length) {
      const part = pending.shift()!;
      if (part === ".") continue;
      if (part === "..") {
        if (done.length <= 1) return { problem: "outside" };
        done.pop();
        continue;
      }
      const here = [...done, part].join("/");
      const entry = this.byPath.get(here) ?? (this.implied.has(here) ? IMPLIED_DIRECTORY : undefined);
      if (!entry) return { problem: "missing" };
      const type = entryType(entry);
      if (type === "symlink") {
        if (++hops > MAX_HOPS) return { problem: "loop" };
        const target = entry.target ?? "";
        if (target.startsWith("/")) {
          const inside = path.posix.relative(CONTAINER_PARENT, path.posix.normalize(target));
          if (inside.startsWith("..") || !(inside === "uploads" || inside.startsWith("uploads/"))) {
            return { problem: "outside" };
          }
          done = [];
          pending = [...inside.split("/").filter(Boolean), ...pending];
        } else {
          pending = [...target.split("/").filter(Boolean), ...pending];
        }
        continue;
      }
      if (type === "hardlink") {
        // A hard link is the same file as the entry it names (which the archive wrote first).
        const first = this.byPath.get(strip(entry.target ?? ""));
        if (!first || entryType(first) !== "file") return { problem: "dangling" };
        if (pending.length) return { problem: "not a file" };
        return { file: first, path: here };
      }
      done.push(part);
      if (!pending.length) {
        return type === "file" ? { file: entry, path: here } : { problem: "not a file" };
      }
      if (type !== "directory") return { problem: "not a file" };
    }
    return { problem: "not a file" };
  }

  /** Counts for the journal: regular files and their bytes, links, directories. */
  summary() {
    const s = { files: 0, bytes: 0, symlinks: 0, hardlinks: 0, directories: 0, other: 0 };
    for (const e of this.byPath.values()) {
      const t = entryType(e);
      if (t === "file") {
        s.files++;
        s.bytes += e.size;
      } else if (t === "symlink") s.symlinks++;
      else if (t === "hardlink") s.hardlinks++;
      else if (t === "directory") s.directories++;
      else s.other++;
    }
    return s;
  }
}

/** Why an upload row's file cannot be served from this tree, or null when it can. */
export function uploadRowProblem(tree: UploadTree, longName: string): string | null {
  const found = tree.resolve(`uploads/${longName}`);
  if ("file" in found) return null;
  switch (found.problem) {
    case "missing":
      return `${longName} (no such file)`;
    case "outside":
      return `${longName} (a link to outside the uploads directory, which the backup does not hold)`;
    case "dangling":
      return `${longName} (a link to nothing)`;
    case "loop":
      return `${longName} (a loop of links)`;
    default:
      return `${longName} (not a regular file)`;
  }
}

/** What differs between the manifest's tree and an archive's, entry by entry (type, target, bytes, owner, mode, time). */
export function treeDifferences(
  expected: readonly TarEntry[],
  actual: readonly TarEntry[],
  options: { filesOnly?: boolean } = {},
): Message[] {
  // Restore points of format 1 listed regular files only: nothing else is compared there.
  if (options.filesOnly) actual = actual.filter((e) => entryType(e) === "file");
  const want = new Map(expected.map((e) => [strip(e.path), e]));
  const problems: Message[] = [];
  const seen = new Set<string>();
  for (const got of actual) {
    const key = strip(got.path);
    seen.add(key);
    const w = want.get(key);
    if (!w) {
      problems.push(msg`${key} is in the archive but not in the manifest`);
      continue;
    }
    const [wt, gt] = [entryType(w), entryType(got)];
    if (wt !== gt) problems.push(msg`${key} is a ${gt}, the manifest says ${wt}`);
    else if (wt === "file" && (w.size !== got.size || w.sha256 !== got.sha256)) problems.push(msg`${key} differs`);
    else if ((wt === "symlink" || wt === "hardlink") && w.target !== got.target) {
      problems.push(msg`${key} points to ${JSON.stringify(got.target)}, the manifest says ${JSON.stringify(w.target)}`);
    } else if (w.mode !== got.mode || w.uid !== got.uid || w.gid !== got.gid) {
      problems.push(msg`${key} has other owners or mode than the manifest says`);
    } else if (w.mtime !== undefined && w.mtime !== got.mtime)
      problems.push(msg`${key} has another time than the manifest says`);
  }
  for (const [key, w] of want)
    if (!seen.has(key)) problems.push(msg`${key} is missing from the archive (${entryType(w)})`);
  return problems;
}
