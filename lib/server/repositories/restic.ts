import { Readable, Writable } from "node:stream";
import {
  imageExists,
  pullImage,
  runAttached,
  type ContainerCreateBody,
  type DockerClient,
  type MountInfo,
} from "../../docker";
import { env } from "../../env";
import { AppError } from "../../errors";
import { msg, type Wording } from "../../i18n/message";
import type { OpenedRepository } from "./repository-secrets";
import { knownHostsLine, parseSftpLocation } from "./ssh-keys";

/*
 * The panel drives restic; it never re-implements it. Every call is a
 * short-lived helper container of the pinned restic image on a Docker host
 * (the instance's, so that the data goes from the host to the repository,
 * never through the panel), with the repository's address in its environment
 * and its password and keys on its standard input, its JSON output parsed
 * line by line as it comes.
 */

export const RESTIC_HELPER_LABEL = "restic";

/** restic's exit codes (restic 0.17+, `restic help`). */
export const RESTIC_EXIT = {
  ok: 0,
  fatal: 1,
  incomplete: 3,
  noRepository: 10,
  locked: 11,
  wrongPassword: 12,
  interrupted: 130,
} as const;

/** A line of restic's `--json` output (backup, restore, copy): only the fields the panel reads. */
export interface ResticMessage {
  message_type: "status" | "summary" | "error" | "verbose_status" | "exit_error" | string;
  percent_done?: number;
  total_files?: number;
  files_done?: number;
  total_bytes?: number;
  bytes_done?: number;
  bytes_restored?: number;
  files_restored?: number;
  seconds_elapsed?: number;
  snapshot_id?: string;
  files_new?: number;
  files_changed?: number;
  files_unmodified?: number;
  dirs_new?: number;
  data_added?: number;
  data_added_packed?: number;
  total_files_processed?: number;
  total_bytes_processed?: number;
  total_duration?: number;
  error?: { message?: string } | string;
  message?: string;
  during?: string;
  item?: string;
  code?: number;
}

export interface ResticRun {
  /** restic's own arguments (the helper's entrypoint is restic), or, with `script`, the script's arguments. */
  args: string[];
  /** A shell script to run instead (restic is on its PATH); `args` are its "$@". */
  script?: string;
  /** What the helper sees of the host, besides the repository. */
  mounts?: MountInfo[];
  /** Fed to the helper's stdin (a dump for `backup --stdin`, or for a script's `cat`). */
  stdin?: Readable;
  /** The raw standard output (`restic dump`); without it stdout is read as JSON lines. */
  stdout?: Writable;
  onMessage?: (message: ResticMessage) => void;
  /** Host name restic records in the snapshot (and finds the parent snapshot by). */
  hostname?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Extra environment for the script (never secrets: those come from the repository). */
  env?: Record<string, string>;
  /** A second repository to read from (`restic copy`, `init --copy-chunker-params`). */
  from?: OpenedRepository;
  /** This run is the ssh diagnosis of a failed one (never diagnosed in turn). */
  diagnosis?: boolean;
}

export interface ResticResult {
  exitCode: number;
  /** The last lines restic wrote on stderr, credentials masked. */
  stderr: string;
  /** Files it could not read (backup) or restore: restic's own words, with the item. */
  errors: string[];
  summary: ResticMessage | null;
  /** Non-JSON standard output (e.g. `snapshots --json`, `check`), when `stdout` was not given. */
  output: string;
}

const MAX_TEXT = 256 * 1024;

export function resticImage(): string {
  return env().PANEL_RESTIC_IMAGE;
}

/**
 * The source repository of `restic copy`, as RESTIC_FROM_* variables: a host directory mounted at
 * /from-repository, a rest-server with its credentials in the address (the RESTIC_REST_* variables
 * are the destination's), S3 keys only when both sides share them.
 */
export function fromRepositoryAccess(repo: OpenedRepository): { env: Record<string, string>; mounts: MountInfo[] } {
  const env: Record<string, string> = { RESTIC_FROM_PASSWORD: repo.secrets.password };
  if (repo.kind === "sftp") return { env: { ...env, RESTIC_FROM_REPOSITORY: repo.location }, mounts: [] };
  if (repo.kind === "host_directory") {
    return {
      env: { ...env, RESTIC_FROM_REPOSITORY: "/from-repository" },
      // Read-write: restic copy takes a (shared) lock in the source repository too.
      mounts: [{ type: "bind", source: repo.location, destination: "/from-repository", readOnly: false }],
    };
  }
  if (repo.kind === "rest" && repo.secrets.restUser) {
    const url = new URL(repo.location.replace(/^rest:/, ""));
    url.username = encodeURIComponent(repo.secrets.restUser);
    url.password = encodeURIComponent(repo.secrets.restPassword ?? "");
    return { env: { ...env, RESTIC_FROM_REPOSITORY: `rest:${url.toString()}` }, mounts: [] };
  }
  return { env: { ...env, RESTIC_FROM_REPOSITORY: repo.location }, mounts: [] };
}

/**
 * sftp: restic runs `ssh`, which reads ~/.ssh. The helper's first lines write the repositories' keys
 * and their servers' pinned host keys there (never on a host's disk), then forget the variables; ssh
 * refuses a server whose key is another one and never asks anything.
 */
const SSH_PRELUDE = [
  'umask 077; d="${HOME:-/root}/.ssh"; mkdir -p "$d"; : > "$d/config"',
  'for v in PAILLASSE_SSH_KEY PAILLASSE_FROM_SSH_KEY; do eval "k=\\${$v:-}"; [ -n "$k" ] || continue;',
  '  printf \'%s\\n\' "$k" > "$d/$v"; printf \'IdentityFile %s\\n\' "$d/$v" >> "$d/config"; done',
  'printf \'%s\\n\' "$PAILLASSE_KNOWN_HOSTS" > "$d/known_hosts"',
  'printf \'UserKnownHostsFile %s\\nStrictHostKeyChecking yes\\nBatchMode yes\\nIdentitiesOnly yes\\nServerAliveInterval 30\\n\' "$d/known_hosts" >> "$d/config"',
  "unset PAILLASSE_SSH_KEY PAILLASSE_FROM_SSH_KEY PAILLASSE_KNOWN_HOSTS",
  "",
].join("\n");

/**
 * Secrets reach the helper on its standard input, never in its environment: whoever can read a host's
 * Docker API (a monitoring agent, a read-only socket) sees a container's environment in `docker
 * inspect`, not what it read. The input starts with NAME=base64(value) lines and an empty line, which
 * the shell reads one byte at a time; the rest is the caller's input (a dump), untouched.
 */
const SECRETS_PRELUDE =
  'while IFS= read -r l && [ -n "$l" ]; do export "${l%%=*}=$(printf %s "${l#*=}" | base64 -d)"; done\n';

/** The helper's whole input: the secrets' lines, then the caller's stream with its backpressure. */
export function withSecretsFirst(secrets: Record<string, string>, rest?: Readable): Readable {
  const head = Buffer.from(
    `${Object.entries(secrets)
      .map(([k, v]) => `${k}=${Buffer.from(v, "utf8").toString("base64")}\n`)
      .join("")}\n`,
  );
  return Readable.from(
    (async function* () {
      yield head;
      if (rest) for await (const chunk of rest as AsyncIterable<Buffer>) yield chunk;
    })(),
    { objectMode: false },
  );
}

/** The sftp repositories' keys and pinned host keys, for the prelude (nothing when none is sftp). */
function sshAccess(repo: OpenedRepository, from?: OpenedRepository): Record<string, string> | null {
  const sftp = [repo, from].filter((r): r is OpenedRepository => r?.kind === "sftp");
  if (!sftp.length) return null;
  const env: Record<string, string> = {};
  const known: string[] = [];
  for (const r of sftp) {
    const endpoint = parseSftpLocation(r.location);
    if (!endpoint || !r.sshHostKey || !r.secrets.sshPrivateKey) {
      throw new AppError("precondition_failed", msg`Repository ${r.name} has no SSH key or no server host key.`, {
        hint: "Add the repository again with the server's host key; the panel generates its key.",
      });
    }
    env[r === repo ? "PAILLASSE_SSH_KEY" : "PAILLASSE_FROM_SSH_KEY"] = r.secrets.sshPrivateKey;
    known.push(knownHostsLine(endpoint, r.sshHostKey));
  }
  env.PAILLASSE_KNOWN_HOSTS = known.join("\n");
  return env;
}

/** Where the repository is, for restic inside the helper: a mount for a host directory, an address otherwise. */
function repositoryAccess(repo: OpenedRepository): {
  env: Record<string, string>;
  mounts: MountInfo[];
  network: string;
} {
  const credentials: Record<string, string> = { RESTIC_PASSWORD: repo.secrets.password };
  if (repo.secrets.restUser) credentials.RESTIC_REST_USERNAME = repo.secrets.restUser;
  if (repo.secrets.restPassword) credentials.RESTIC_REST_PASSWORD = repo.secrets.restPassword;
  if (repo.secrets.accessKeyId) credentials.AWS_ACCESS_KEY_ID = repo.secrets.accessKeyId;
  if (repo.secrets.secretAccessKey) credentials.AWS_SECRET_ACCESS_KEY = repo.secrets.secretAccessKey;
  if (repo.kind === "host_directory") {
    return {
      env: { ...credentials, RESTIC_REPOSITORY: "/repository" },
      mounts: [{ type: "bind", source: repo.location, destination: "/repository", readOnly: false }],
      network: "none",
    };
  }
  return { env: { ...credentials, RESTIC_REPOSITORY: repo.location }, mounts: [], network: "bridge" };
}

/** Each secret of the repository replaced by *** (restic masks URL passwords itself; this catches the rest). */
export function masker(repo: OpenedRepository): (text: string) => string {
  const secrets = Object.values(repo.secrets).filter((v): v is string => typeof v === "string" && v.length >= 4);
  return (text) => secrets.reduce((t, s) => t.split(s).join("***"), text);
}

/**
 * Run restic once in a helper container on `client`'s host. Resolves with
 * the exit code and what restic said; the caller decides what a code means
 * (see `resticFailure`). The helper is removed whatever happens.
 */
export async function runRestic(client: DockerClient, repo: OpenedRepository, run: ResticRun): Promise<ResticResult> {
  const image = resticImage();
  if (!(await imageExists(client, image))) await pullImage(client, image);
  const access = repositoryAccess(repo);
  const from = run.from ? fromRepositoryAccess(run.from) : { env: {}, mounts: [] };
  const maskRepo = masker(repo);
  const maskFrom = run.from ? masker(run.from) : (t: string) => t;
  const mask = (t: string) => maskFrom(maskRepo(t));
  const mounts = [
    ...access.mounts,
    ...from.mounts,
    ...(run.mounts ?? []),
    { type: "volume", source: cacheVolume(repo), destination: "/cache", readOnly: false },
  ];
  const ssh = sshAccess(repo, run.from);
  const script = SECRETS_PRELUDE + (ssh ? SSH_PRELUDE : "") + (run.script ?? 'exec restic "$@"');
  const { RESTIC_REPOSITORY, ...secrets } = { ...from.env, ...access.env, ...(ssh ?? {}) };
  const body: ContainerCreateBody = {
    Image: image,
    Entrypoint: ["sh", "-c", script, "restic-helper"],
    Cmd: run.args,
    Hostname: run.hostname,
    Env: Object.entries({ ...(run.env ?? {}), RESTIC_REPOSITORY, RESTIC_CACHE_DIR: "/cache" }).map(
      ([k, v]) => `${k}=${v}`,
    ),
    Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": RESTIC_HELPER_LABEL },
    HostConfig: {
      // A copy from a rest-server or S3 into a host directory still needs the network.
      NetworkMode: run.from && run.from.kind !== "host_directory" ? "bridge" : access.network,
      RestartPolicy: { Name: "no" },
      Mounts: mounts.map((m) => ({
        Type: m.type as "bind" | "volume",
        Source: m.source,
        Target: m.destination,
        ReadOnly: m.readOnly,
      })),
    },
  };
  let errText = "";
  let outText = "";
  const errors: string[] = [];
  let summary: ResticMessage | null = null;
  let pending = "";
  const onLine = (line: string) => {
    if (!line.trim()) return;
    let message: ResticMessage | null = null;
    if (line.startsWith("{")) {
      try {
        message = JSON.parse(line) as ResticMessage;
      } catch {
        message = null;
      }
    }
    if (!message || typeof message.message_type !== "string") {
      if (outText.length < MAX_TEXT) outText += `${line}\n`;
      return;
    }
    if (message.message_type === "summary") summary = message;
    if (message.message_type === "error" && errors.length < 50) {
      const text = typeof message.error === "string" ? message.error : (message.error?.message ?? "");
      errors.push(mask(message.item ? `${message.item}: ${text}` : text));
    }
    if (message.message_type === "exit_error" && message.message) errText += `${mask(message.message)}\n`;
    run.onMessage?.(message);
  };
  const stdout =
    run.stdout ??
    new Writable({
      write(chunk: Buffer, _e, done) {
        pending += chunk.toString("utf8");
        let at: number;
        while ((at = pending.indexOf("\n")) >= 0) {
          onLine(pending.slice(0, at));
          pending = pending.slice(at + 1);
        }
        if (pending.length > MAX_TEXT) pending = pending.slice(-MAX_TEXT);
        done();
      },
    });
  const stderr = new Writable({
    write(chunk: Buffer, _e, done) {
      errText = (errText + chunk.toString("utf8")).slice(-16_384);
      done();
    },
  });
  const exitCode = await runAttached(client, body, {
    stdin: withSecretsFirst(secrets, run.stdin),
    stdout,
    stderr,
    timeoutMs: run.timeoutMs,
    signal: run.signal,
  }).catch((error: unknown) => {
    // A directory that is not there is never created by the panel: an unmounted filer would fill the system disk.
    const message = String((error as Error).message);
    const missing =
      [repo, run.from].find((r) => r?.kind === "host_directory" && message.includes(r.location)) ??
      (repo.kind === "host_directory" ? repo : undefined);
    if (missing && /bind source path does not exist/.test(message)) {
      throw new AppError(
        "precondition_failed",
        msg`The directory ${missing.location} of repository ${missing.name} does not exist on ${client.host}.`,
        {
          hint: "Check that the file server is mounted there, or create the directory on the host; the panel never creates it.",
        },
      );
    }
    throw error;
  });
  if (!run.stdout) onLine(pending);
  const result = { exitCode, stderr: mask(errText).trim(), errors, summary, output: outText };
  return ssh && exitCode !== RESTIC_EXIT.ok && !run.diagnosis ? withSshDiagnosis(client, repo, run, result) : result;
}

/**
 * restic may exit before ssh has said why it closed (a refused key is said last): when an sftp
 * session did not start and ssh's verdict is missing, ssh is asked once more, alone, with the same
 * key and pinned host key, and what it says is added for `resticFailure` to read.
 */
async function withSshDiagnosis(
  client: DockerClient,
  repo: OpenedRepository,
  run: ResticRun,
  result: ResticResult,
): Promise<ResticResult> {
  if (!/unable to start the sftp session/.test(result.stderr) || SSH_VERDICT.test(result.stderr)) return result;
  const target = [repo, run.from].find(
    (r): r is OpenedRepository => r?.kind === "sftp" && result.stderr.includes(r.location),
  );
  const endpoint = target ? parseSftpLocation(target.location) : null;
  if (!target || !endpoint) return result;
  const probe = await runRestic(client, repo, {
    args: [String(endpoint.port), endpoint.user, endpoint.host.replace(/^\[|\]$/g, "")],
    script: 'ssh -p "$1" -l "$2" "$3" -s sftp </dev/null 2>&1 >/dev/null | sed "s/^/subprocess ssh: /" >&2; exit 1',
    from: run.from,
    diagnosis: true,
    timeoutMs: 60_000,
  }).catch(() => null);
  return probe?.stderr ? { ...result, stderr: `${probe.stderr}\n${result.stderr}` } : result;
}

/** ssh's own words for why a session did not start. */
const SSH_VERDICT =
  /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|Permission denied \(publickey|ssh: connect to host|Could not resolve hostname/;

/** One cache volume per repository on each host: restic reads the index and trees once, not at every run. */
function cacheVolume(repo: OpenedRepository): string {
  return `paillasse-restic-cache-${repo.id.replace(/[^0-9a-zA-Z]/g, "").slice(0, 24)}`;
}

/** restic's reason in one line: its "Fatal:" line, else its last line. */
export function resticReason(result: Pick<ResticResult, "stderr" | "exitCode">): string {
  const lines = result.stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const fatal = lines.filter((l) => /^Fatal:/.test(l)).at(-1) ?? lines.at(-1);
  return (fatal ?? `exit code ${result.exitCode}`).replace(/^Fatal:\s*/, "").slice(0, 500);
}

/** The error an operator reads when restic fails, with what to do for the codes that have a known cause. */
export function resticFailure(
  repoName: string,
  what: Wording,
  result: Pick<ResticResult, "stderr" | "exitCode" | "errors">,
): AppError {
  const reason = resticReason(result);
  // ssh's own words, before restic's (an sftp repository).
  if (
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/.test(result.stderr)
  ) {
    return new AppError(
      "unavailable",
      msg`The SFTP server of repository ${repoName} showed another host key than the one given.`,
      {
        hint: "Check the server's key (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it). If it really changed, add the repository again with the new key; nothing was written.",
      },
    );
  }
  if (/Permission denied \(publickey/.test(result.stderr)) {
    return new AppError("unavailable", msg`The SFTP server of repository ${repoName} refused the panel's key.`, {
      hint: "Add the repository's public key (Backup policies → Repositories) to the authorized_keys of the user in its address, then run it again.",
    });
  }
  const unreachable = /ssh: (connect to host \S+ port \d+: .+|Could not resolve hostname .+)/.exec(result.stderr);
  if (unreachable) {
    return new AppError(
      "unavailable",
      msg`The SFTP server of repository ${repoName} cannot be reached: ${unreachable[1]!.trim()}.`,
      {
        hint: "Check that the server runs and that the Docker host reaches it (address, port, firewall), then run it again.",
      },
    );
  }
  switch (result.exitCode) {
    case RESTIC_EXIT.noRepository:
      return new AppError("unavailable", msg`Repository ${repoName} does not exist or cannot be opened: ${reason}.`, {
        hint: "Check the repository's address; the panel initializes a new repository only when it is empty.",
      });
    case RESTIC_EXIT.locked:
      return new AppError("conflict", msg`Repository ${repoName} is locked by another run: ${reason}.`, {
        hint: "Another backup or maintenance is using it; try again when it has finished. A lock left by a stopped run goes by itself after 30 minutes.",
      });
    case RESTIC_EXIT.wrongPassword:
      return new AppError("unavailable", msg`The panel's password does not open repository ${repoName}.`, {
        hint: "The repository was re-keyed or replaced. Give the panel its current password (Edit repository).",
      });
    case RESTIC_EXIT.incomplete:
      return new AppError(
        "unavailable",
        msg`${what} is incomplete: restic could not read ${String(result.errors.length)} item(s), e.g. ${result.errors[0] ?? reason}.`,
        { hint: "Check the files' permissions on the host, then run it again." },
      );
    default:
      return new AppError("unavailable", msg`${what} failed in repository ${repoName}: ${reason}.`, {
        hint: "Check that the repository is reachable from the Docker host, then run it again.",
      });
  }
}
