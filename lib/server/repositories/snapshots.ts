import { randomBytes } from "node:crypto";
import { PassThrough, Readable, Writable } from "node:stream";
import type { DockerClient, MountInfo } from "../../docker";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import type { OpenedRepository } from "./repository-secrets";
import { RESTIC_EXIT, resticFailure, runRestic, type ResticMessage } from "./restic";

/*
 * A restore point is one restic snapshot of /restore-point, which holds:
 *   database.sql    the dump: written there by mysqldump in a helper beside the database, or (a
 *                   database on another host) streamed in on the helper's stdin
 *   instance.json   what it takes to re-create the containers (env with SECRET_KEY, mounts, …)
 *   uploads/        the uploads tree, mounted read-only from the host (links, owners, modes, times)
 * Tagged with the instance, unit, trigger, eLabFTW version and schema; its host name is the
 * instance's name, so restic takes the instance's last snapshot as the parent (only changed
 * files are read again).
 */
export const SNAPSHOT_ROOT = "/restore-point";
export const SNAPSHOT_DATABASE = `${SNAPSHOT_ROOT}/database.sql`;
export const SNAPSHOT_INSTANCE = `${SNAPSHOT_ROOT}/instance.json`;
export const SNAPSHOT_UPLOADS = `${SNAPSHOT_ROOT}/uploads`;

export interface SnapshotTags {
  instance: string;
  unit: string;
  trigger: string;
  version: string | null;
  schema: number | null;
}

export const tagArgs = (tags: SnapshotTags): string[] =>
  Object.entries(tags)
    .filter(([, v]) => v !== null && v !== "")
    .flatMap(([k, v]) => ["--tag", `${k}=${String(v)}`]);

/** Whether the repository opens (`cat config`): exit 0, 10 (nothing there yet), or a clear refusal. */
async function probeRepository(client: DockerClient, repo: OpenedRepository) {
  // A directory that is not there is refused by runRestic, with what to do.
  return runRestic(client, repo, { args: ["cat", "config", "--no-lock"], timeoutMs: 120_000 });
}

/** Open the repository, or initialize it when nothing is there yet. Returns whether it was created. */
export async function ensureRepository(client: DockerClient, repo: OpenedRepository): Promise<{ created: boolean }> {
  const probe = await probeRepository(client, repo);
  if (probe.exitCode === RESTIC_EXIT.ok) return { created: false };
  if (probe.exitCode !== RESTIC_EXIT.noRepository) throw resticFailure(repo.name, msg`Opening the repository`, probe);
  const init = await runRestic(client, repo, { args: ["init"], timeoutMs: 120_000 });
  if (init.exitCode !== RESTIC_EXIT.ok) throw resticFailure(repo.name, msg`Initializing the repository`, init);
  return { created: true };
}

/**
 * The off-site copy: one snapshot copied from `from` into `to` (`restic copy`: only the blobs `to`
 * lacks travel). A new destination is initialized with the source's chunker parameters, or the
 * copies would not deduplicate. Returns the copy's id in `to` (restic records the original's).
 */
export async function copySnapshot(
  client: DockerClient,
  from: OpenedRepository,
  to: OpenedRepository,
  snapshotId: string,
  signal?: AbortSignal,
): Promise<{ snapshotId: string; created: boolean }> {
  const probe = await probeRepository(client, to);
  let created = false;
  if (probe.exitCode === RESTIC_EXIT.noRepository) {
    const init = await runRestic(client, to, { args: ["init", "--copy-chunker-params"], from, timeoutMs: 120_000 });
    if (init.exitCode !== RESTIC_EXIT.ok) throw resticFailure(to.name, msg`Initializing the repository`, init);
    created = true;
  } else if (probe.exitCode !== RESTIC_EXIT.ok) {
    throw resticFailure(to.name, msg`Opening the repository`, probe);
  }
  const copy = await runRestic(client, to, { args: ["copy", snapshotId], from, signal, timeoutMs: 24 * 3_600_000 });
  if (copy.exitCode !== RESTIC_EXIT.ok)
    throw resticFailure(to.name, msg`Copying snapshot ${snapshotId.slice(0, 8)}`, copy);
  const copies = await runRestic(client, to, { args: ["snapshots", "--json", "--no-lock"], timeoutMs: 300_000 });
  const found = (JSON.parse(copies.output.trim() || "[]") as { id: string; original?: string }[]).find(
    (s) => s.original === snapshotId || s.id === snapshotId,
  );
  if (!found) {
    throw new AppError(
      "unavailable",
      msg`After the copy, repository ${to.name} does not list snapshot ${snapshotId.slice(0, 8)}.`,
      {
        hint: "Check the off-site repository's server and its free space, then run the backup again.",
      },
    );
  }
  return { snapshotId: found.id, created };
}

/**
 * The helper's script: instance.json from the first line, then the dump, which must end with the
 * run's end mark (removed before restic reads it). Input that stops short (the panel killed, the
 * connection cut: the helper sees the end of its input all the same) is refused: no snapshot ever
 * holds a truncated dump.
 */
export const SNAPSHOT_SCRIPT = [
  "set -e",
  "IFS= read -r meta",
  `printf '%s' "$meta" | base64 -d > ${SNAPSHOT_INSTANCE}`,
  'if [ -z "$PAILLASSE_DUMP_STAGED" ]; then',
  `  cat > ${SNAPSHOT_DATABASE}`,
  `  size=$(stat -c %s ${SNAPSHOT_DATABASE})`,
  `  if [ "$(tail -c \${#PAILLASSE_END_MARK} ${SNAPSHOT_DATABASE})" != "$PAILLASSE_END_MARK" ]; then`,
  '    echo "Fatal: the dump did not arrive whole (its input stopped short); nothing was stored." >&2',
  "    exit 1",
  "  fi",
  `  truncate -s $((size - \${#PAILLASSE_END_MARK})) ${SNAPSHOT_DATABASE}`,
  `elif [ ! -s ${SNAPSHOT_DATABASE} ]; then`,
  '  echo "Fatal: the staged dump is missing; nothing was stored." >&2',
  "  exit 1",
  "fi",
  'exec restic "$@"',
].join("\n");

export interface BackupProgress {
  percent: number;
  filesDone: number;
  totalFiles: number;
  bytesDone: number;
  totalBytes: number;
}

export interface SnapshotWritten {
  snapshotId: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  /** Bytes read from the host (dump and uploads). */
  bytesProcessed: number;
  /** What the repository grew by, compressed: the cost of this restore point. */
  addedPacked: number;
  durationS: number;
}

/**
 * Write one snapshot: the dump arrives on stdin (with backpressure: the helper writes it to a scratch
 * volume as it reads, so mysqldump runs at the disk's pace), instance.json on the first line
 * (base64), then restic reads the uploads where they are. A helper killed midway leaves no snapshot
 * (restic writes the snapshot last) and nothing in the repository that the next run or a prune
 * does not reuse or remove.
 */
export async function writeSnapshot(
  client: DockerClient,
  repo: OpenedRepository,
  input: {
    hostname: string;
    tags: SnapshotTags;
    uploads: MountInfo;
    instanceJson: string;
    /** The dump on stdin, or null when it is in the scratch volume already (written beside the database). */
    dump: Readable | null;
    scratchVolume: string;
    onProgress?: (p: BackupProgress) => void;
    signal?: AbortSignal;
  },
): Promise<SnapshotWritten> {
  const stdin = new PassThrough({ highWaterMark: 1024 * 1024 });
  const endMark = `PAILLASSE-END-${randomBytes(16).toString("hex")}`;
  stdin.write(`${Buffer.from(input.instanceJson, "utf8").toString("base64")}\n`);
  const dump = input.dump;
  if (dump) {
    dump.on("error", (error) => stdin.destroy(error));
    // The mark follows the dump only when it ended whole (a failed dump destroys the stream instead).
    dump.pipe(stdin, { end: false });
    dump.on("end", () => stdin.end(endMark));
  } else {
    stdin.end();
  }
  const result = await runRestic(client, repo, {
    script: SNAPSHOT_SCRIPT,
    env: dump ? { PAILLASSE_END_MARK: endMark } : { PAILLASSE_DUMP_STAGED: "1" },
    args: ["backup", "--json", "--host", input.hostname, ...tagArgs(input.tags), SNAPSHOT_ROOT],
    hostname: input.hostname,
    stdin,
    mounts: [
      { type: "volume", source: input.scratchVolume, destination: SNAPSHOT_ROOT, readOnly: false },
      { ...input.uploads, destination: SNAPSHOT_UPLOADS, readOnly: true },
    ],
    onMessage: (m: ResticMessage) => {
      if (m.message_type !== "status" || !input.onProgress) return;
      input.onProgress({
        percent: Math.round((m.percent_done ?? 0) * 1000) / 10,
        filesDone: m.files_done ?? 0,
        totalFiles: m.total_files ?? 0,
        bytesDone: m.bytes_done ?? 0,
        totalBytes: m.total_bytes ?? 0,
      });
    },
    signal: input.signal,
  });
  const summary = result.summary;
  if (result.exitCode !== RESTIC_EXIT.ok || !summary?.snapshot_id) {
    throw resticFailure(repo.name, msg`The snapshot`, result);
  }
  return {
    snapshotId: summary.snapshot_id,
    filesNew: summary.files_new ?? 0,
    filesChanged: summary.files_changed ?? 0,
    filesUnmodified: summary.files_unmodified ?? 0,
    bytesProcessed: summary.total_bytes_processed ?? 0,
    addedPacked: summary.data_added_packed ?? summary.data_added ?? 0,
    durationS: summary.total_duration ?? 0,
  };
}

export interface SnapshotInfo {
  id: string;
  time: string;
  hostname: string;
  tags: Record<string, string>;
  paths: string[];
}

/** The repository's snapshots, newest last; `tags` narrows them (all must match). */
export async function listSnapshots(
  client: DockerClient,
  repo: OpenedRepository,
  tags: Record<string, string> = {},
): Promise<SnapshotInfo[]> {
  const filter = Object.entries(tags).map(([k, v]) => `${k}=${v}`);
  const result = await runRestic(client, repo, {
    args: ["snapshots", "--json", "--no-lock", ...(filter.length ? ["--tag", filter.join(",")] : [])],
    timeoutMs: 300_000,
  });
  if (result.exitCode !== RESTIC_EXIT.ok) throw resticFailure(repo.name, msg`Listing the snapshots`, result);
  let raw: unknown;
  try {
    raw = JSON.parse(result.output.trim() || "[]");
  } catch {
    throw new AppError("unavailable", msg`restic's list of snapshots in ${repo.name} could not be read.`, {
      hint: "Check that the pinned restic image is the one the panel expects (PANEL_RESTIC_IMAGE).",
    });
  }
  return (raw as { id: string; time: string; hostname: string; tags?: string[]; paths: string[] }[]).map((s) => ({
    id: s.id,
    time: s.time,
    hostname: s.hostname,
    paths: s.paths,
    tags: Object.fromEntries(
      (s.tags ?? []).map((t) => {
        const at = t.indexOf("=");
        return at < 0 ? [t, ""] : [t.slice(0, at), t.slice(at + 1)];
      }),
    ),
  }));
}

/** One file of a snapshot, streamed out (`restic dump`): the dump for a restore or a verification. */
export async function readSnapshotFile(
  client: DockerClient,
  repo: OpenedRepository,
  snapshotId: string,
  file: string,
  out: Writable,
  signal?: AbortSignal,
): Promise<void> {
  const result = await runRestic(client, repo, { args: ["dump", snapshotId, file], stdout: out, signal });
  if (result.exitCode !== RESTIC_EXIT.ok) {
    throw resticFailure(repo.name, msg`Reading ${file} from snapshot ${snapshotId.slice(0, 8)}`, result);
  }
}

/** One file of a snapshot as a stream to read (the dump going into a database container); restic's failure destroys it. */
export function snapshotFileStream(
  client: DockerClient,
  repo: OpenedRepository,
  snapshotId: string,
  file: string,
): Readable {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  readSnapshotFile(client, repo, snapshotId, file, out).then(
    () => out.end(),
    (error: unknown) => out.destroy(error as Error),
  );
  return out;
}

/** A file of a snapshot as text (instance.json): small files only. */
export async function readSnapshotText(
  client: DockerClient,
  repo: OpenedRepository,
  snapshotId: string,
  file: string,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      size += chunk.length;
      if (size > 16 * 1024 * 1024) done(new Error(`${file} is larger than 16 MiB`));
      else {
        chunks.push(chunk);
        done();
      }
    },
  });
  await readSnapshotFile(client, repo, snapshotId, file, sink);
  return Buffer.concat(chunks).toString("utf8");
}

export interface RestoreResult {
  filesRestored: number;
  bytesRestored: number;
}

/**
 * Put a snapshot's uploads tree into `target` (a volume or a host directory) exactly: files that
 * are not in the snapshot are deleted, owners, modes, times and links restored as recorded.
 * `include` restores only these paths (relative to the uploads) and deletes nothing; `verify`
 * reads what was written back and checks it against the snapshot's hashes.
 */
export async function restoreUploads(
  client: DockerClient,
  repo: OpenedRepository,
  snapshotId: string,
  target: MountInfo,
  options: {
    include?: string[];
    verify?: boolean;
    onProgress?: (p: { percent: number; bytes: number }) => void;
    signal?: AbortSignal;
  } = {},
): Promise<RestoreResult> {
  // The snapshot's /restore-point, uploads only, into a directory whose "uploads" is the target: the
  // tree's root gets its recorded owner, mode and time too (a restore of the subfolder would not).
  // A sample's paths go in on stdin (an include file): any number of them, any characters but a newline,
  // glob characters escaped.
  const escape = (p: string) => p.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
  const sample = (options.include ?? []).filter((p) => !p.includes("\n"));
  const result = await runRestic(client, repo, {
    script: options.include ? 'cat > /tmp/include && exec restic "$@" --include-file /tmp/include' : undefined,
    stdin: options.include
      ? Readable.from([
          Buffer.from(sample.map((p) => `${SNAPSHOT_UPLOADS}/${escape(p.replace(/^\/+/, ""))}\n`).join("")),
        ])
      : undefined,
    args: [
      "restore",
      "--json",
      snapshotId,
      "--target",
      "/restore",
      ...(options.include ? [] : ["--include", SNAPSHOT_UPLOADS, "--delete"]),
      ...(options.verify ? ["--verify"] : []),
    ],
    // Only the target is under /restore: --delete can reach nothing else (the repository is elsewhere).
    mounts: [{ ...target, destination: `/restore${SNAPSHOT_UPLOADS}`, readOnly: false }],
    onMessage: (m) => {
      if (m.message_type === "status" && options.onProgress) {
        options.onProgress({ percent: Math.round((m.percent_done ?? 0) * 1000) / 10, bytes: m.bytes_restored ?? 0 });
      }
    },
    signal: options.signal,
  });
  if (result.exitCode !== RESTIC_EXIT.ok || result.errors.length) {
    throw resticFailure(repo.name, msg`Restoring the uploads from snapshot ${snapshotId.slice(0, 8)}`, {
      ...result,
      exitCode: result.exitCode === RESTIC_EXIT.ok ? RESTIC_EXIT.fatal : result.exitCode,
      stderr: result.errors.length ? `Fatal: ${result.errors.join("; ")}` : result.stderr,
    });
  }
  return {
    filesRestored: result.summary?.files_restored ?? 0,
    bytesRestored: result.summary?.bytes_restored ?? 0,
  };
}
