import type { KeyRing } from "../../crypto";
import type { Actor, RequestContext } from "../../kernel";
import { recordAuditEvent, requestedBy } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { loadRepository } from "./repositories";
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
        : `the S3-compatible storage ${repo.location}`;
  const text = [
    `Paillasse recovery kit: repository "${repo.name}"`,
    `Made ${at.toISOString()} for ${actor.email}.`,
    "",
    "Keep it offline (a safe, a password manager). Whoever holds it can read every restore point in",
    "this repository, including each instance's SECRET_KEY and database passwords (instance.json).",
    "",
    `Where: ${where}.`,
    "",
    "Restore by hand, without the panel, with restic 0.17 or later (the restic/restic image, or the",
    "restic package), on a machine that reaches the repository:",
    "",
    ...env.map((l) => `  ${l}`),
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
