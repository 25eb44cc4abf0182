import type { KeyRing } from "../../crypto";
import type { Actor, RequestContext } from "../../kernel";
import { recordAuditEvent, requestedBy } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";
import { loadRepository, type RepositoryInput } from "./repositories";
import { knownHostsLine, parseSftpLocation } from "./ssh-keys";
import { SNAPSHOT_DATABASE, SNAPSHOT_INSTANCE, SNAPSHOT_UPLOADS } from "./snapshots";

/** Single-quoted for a POSIX shell, whatever the characters. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * What it takes to restore without the panel: where the repository is, its password, the backend's
 * credentials, and the exact restic commands. Given after a key touch, audited (never its content),
 * never stored: the operator keeps it offline.
 */
export async function recoveryKit(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  repositoryId: string,
  context: RequestContext | null,
  at: Date = new Date(),
): Promise<{ fileName: string; text: string }> {
  const repo = await loadRepository(db, ring, repositoryId);
  const host = repo.hostId
    ? await db.dockerHost.findUnique({ where: { id: repo.hostId }, select: { name: true, address: true } })
    : null;
  const env = [
    `export RESTIC_REPOSITORY=${sh(repo.location)}`,
    `export RESTIC_PASSWORD=${sh(repo.secrets.password)}`,
    ...(repo.secrets.restUser ? [`export RESTIC_REST_USERNAME=${sh(repo.secrets.restUser)}`] : []),
    ...(repo.secrets.restPassword ? [`export RESTIC_REST_PASSWORD=${sh(repo.secrets.restPassword)}`] : []),
    ...(repo.secrets.accessKeyId ? [`export AWS_ACCESS_KEY_ID=${sh(repo.secrets.accessKeyId)}`] : []),
    ...(repo.secrets.secretAccessKey ? [`export AWS_SECRET_ACCESS_KEY=${sh(repo.secrets.secretAccessKey)}`] : []),
  ];
  const where =
    repo.kind === "host_directory"
      ? `the directory ${repo.location} on the Docker host ${host?.name ?? "?"} (${host?.address ?? "?"})`
      : repo.kind === "rest"
        ? `the rest-server ${repo.location}${repo.appendOnly ? " (append-only for these credentials)" : ""}`
        : repo.kind === "sftp"
          ? `the SFTP server ${repo.location}`
          : `the S3-compatible storage ${repo.location}`;
  // sftp: the key and the pinned host key go in two files beside the commands, which hand them to ssh.
  const endpoint = repo.kind === "sftp" ? parseSftpLocation(repo.location) : null;
  const ssh =
    endpoint && repo.secrets.sshPrivateKey && repo.sshHostKey
      ? {
          files: [
            `The panel's SSH key for this repository (save it as ${SSH_KEY_FILE}, mode 600):`,
            "",
            repo.secrets.sshPrivateKey.trim(),
            "",
            `The server's host key, pinned (save this line as ${KNOWN_HOSTS_FILE}):`,
            "",
            knownHostsLine(endpoint, repo.sshHostKey),
            "",
          ],
          command: [
            "  # SFTP: restic runs ssh with the two files above (in the current directory):",
            `  restic() { command restic -o sftp.args="-i ${SSH_KEY_FILE} -o UserKnownHostsFile=${KNOWN_HOSTS_FILE} -o IdentitiesOnly=yes -o BatchMode=yes" "$@"; }`,
          ],
        }
      : { files: [], command: [] };
  const text = [
    `Paillasse recovery kit: repository "${repo.name}"`,
    `Made ${at.toISOString()} for ${actor.email}.`,
    "",
    "Keep it offline (a safe, a password manager). Whoever holds it can read every restore point in",
    "this repository, including each instance's SECRET_KEY and database passwords (instance.json).",
    "",
    `Where: ${where}.`,
    "",
    ...ssh.files,
    "Restore by hand, without the panel, with restic 0.17 or later (the restic/restic image, or the",
    "restic package), on a machine that reaches the repository:",
    "",
    ...env.map((l) => `  ${l}`),
    ...ssh.command,
    "",
    "  # The restore points of an instance, newest last:",
    "  restic snapshots --tag instance=NAME",
    "  # What it takes to re-create its containers (image, env with SECRET_KEY, mounts, compose files):",
    `  restic dump SNAPSHOT ${SNAPSHOT_INSTANCE} > instance.json`,
    "  # The database dump (load it with: mysql -u USER -p DATABASE < database.sql):",
    `  restic dump SNAPSHOT ${SNAPSHOT_DATABASE} > database.sql`,
    "  # The uploads tree, with owners, modes, times and links (as root):",
    `  restic restore SNAPSHOT --include ${SNAPSHOT_UPLOADS} --target /tmp/restore`,
    `  # then copy /tmp/restore${SNAPSHOT_UPLOADS}/ into the uploads volume (cp -a keeps owners and modes).`,
    "",
    "Then start MySQL and eLabFTW with the settings of instance.json (the same SECRET_KEY, or encrypted",
    "settings are lost), load database.sql, put the uploads back, and run bin/console db:update if the",
    "image is newer than the restore point's schema (its tag schema=N).",
    "",
  ].join("\n");
  await recordAuditEvent(db, {
    ...requestedBy(actor, context),
    action: "repository.recovery_kit",
    outcome: "success",
    target: { type: "repository", id: repo.id },
    params: { name: repo.name },
  });
  const safeName = repo.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "repository";
  return { fileName: `paillasse-recovery-kit-${safeName}.txt`, text };
}

const SSH_KEY_FILE = "paillasse-ssh-key";
const KNOWN_HOSTS_FILE = "paillasse-known-hosts";

/** One `export NAME='value'` line of a kit (single-quoted as `sh` above writes it, or bare). */
function kitVariables(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*export\s+([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!.trim();
    vars[m[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replace(/'\\''/g, "'") : raw;
  }
  return vars;
}

/**
 * A repository's settings read back from its recovery kit (on a freshly installed panel, to
 * recover instances from it): where it is, its password and the backend's credentials. A
 * directory needs the Docker host it is mounted on, which the kit cannot know for a new machine.
 */
export function repositoryFromKit(text: string, hostId?: string): RepositoryInput {
  if (text.length > 64 * 1024) {
    throw new AppError("bad_input", "This is not a recovery kit: it is far longer than one.", {
      hint: "Paste the text of the paillasse-recovery-kit-….txt file; nothing was added.",
    });
  }
  const vars = kitVariables(text);
  const location = vars.RESTIC_REPOSITORY;
  const password = vars.RESTIC_PASSWORD;
  if (!location || !password) {
    throw new AppError("bad_input", "This text holds no RESTIC_REPOSITORY and RESTIC_PASSWORD lines.", {
      hint: "Paste the whole recovery kit, as downloaded from the panel; nothing was added.",
    });
  }
  const name = /repository "([^"\n]{1,80})"/.exec(text)?.[1] ?? "recovered";
  if (location.startsWith("rest:")) {
    return {
      kind: "rest",
      name,
      location,
      password,
      restUser: vars.RESTIC_REST_USERNAME ?? "",
      restPassword: vars.RESTIC_REST_PASSWORD ?? "",
      appendOnly: /append-only for these credentials/.test(text),
    };
  }
  if (location.startsWith("s3:")) {
    return {
      kind: "s3",
      name,
      location,
      password,
      accessKeyId: vars.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: vars.AWS_SECRET_ACCESS_KEY ?? "",
    };
  }
  if (location.startsWith("sftp:")) {
    const key = /-----BEGIN OPENSSH PRIVATE KEY-----[\s\S]+?-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[0];
    const pinned = text.split(/\r?\n/).find((l) => /^\S+ (ssh-|ecdsa-)\S+ \S+$/.test(l.trim()));
    if (!key || !pinned) {
      throw new AppError("bad_input", "This SFTP repository's kit lacks its SSH key or the server's host key.", {
        hint: "Paste the whole recovery kit, as downloaded from the panel; nothing was added.",
      });
    }
    return {
      kind: "sftp",
      name,
      location,
      password,
      sshPrivateKey: key,
      hostKey: pinned.trim().split(" ").slice(1).join(" "),
    };
  }
  if (location.startsWith("/")) return { kind: "host_directory", name, location, password, hostId: hostId ?? "" };
  throw new AppError("bad_input", msg`The panel cannot use repositories reached by ${location.split(":")[0] ?? "?"}.`, {
    hint: "Use a directory on a Docker host, an SFTP server, a rest-server or S3-compatible storage; nothing was added.",
  });
}
