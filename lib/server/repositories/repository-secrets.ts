import { randomBytes } from "node:crypto";
import { z } from "zod";
import { open, seal, type KeyRing } from "../../crypto";
import { AppError } from "../../errors";

/**
 * A repository's secrets (BackupRepository.secretsEnc): restic's password
 * and the backend's credentials, one sealed JSON document bound to the
 * repository. Never logged, never sent to a page but in the recovery kit.
 */
export const repositorySecretsSchema = z.object({
  password: z.string().min(1),
  /** rest-server's user and password (RESTIC_REST_USERNAME / _PASSWORD). */
  restUser: z.string().optional(),
  restPassword: z.string().optional(),
  /** S3-compatible storage's access key. */
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
  /** sftp: the panel's private key for this repository (OpenSSH format). */
  sshPrivateKey: z.string().optional(),
});
export type RepositorySecrets = z.infer<typeof repositorySecretsSchema>;

export type RepositoryKind = "host_directory" | "sftp" | "s3" | "rest";

/** A repository as the restic driver uses it: where, how, and its opened secrets. */
export interface OpenedRepository {
  id: string;
  name: string;
  kind: RepositoryKind;
  location: string;
  hostId: string | null;
  appendOnly: boolean;
  /** sftp: the server's pinned host key ("type key"). */
  sshHostKey?: string | null;
  secrets: RepositorySecrets;
}

export const repositorySecretsContext = (repositoryId: string) => `repository:${repositoryId}:secrets`;

export function sealRepositorySecrets(ring: KeyRing, repositoryId: string, secrets: RepositorySecrets): string {
  return seal(ring, JSON.stringify(repositorySecretsSchema.parse(secrets)), repositorySecretsContext(repositoryId));
}

/** A new repository password: 32 random bytes, as restic would generate (it never leaves the panel but in the kit). */
export function generateRepositoryPassword(): string {
  return randomBytes(32).toString("base64url");
}

export function openRepository(
  ring: KeyRing,
  row: {
    id: string;
    name: string;
    kind: RepositoryKind;
    location: string;
    hostId: string | null;
    appendOnly: boolean;
    sshHostKey?: string | null;
    secretsEnc: string;
  },
): OpenedRepository {
  const parsed = repositorySecretsSchema.safeParse(
    JSON.parse(open(ring, row.secretsEnc, repositorySecretsContext(row.id))),
  );
  if (!parsed.success) {
    throw new AppError("internal", "This repository's stored secrets are not in a shape this panel reads.", {
      hint: "Give the repository's password again (Edit repository).",
    });
  }
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    location: row.location,
    hostId: row.hostId,
    appendOnly: row.appendOnly,
    sshHostKey: row.sshHostKey ?? null,
    secrets: parsed.data,
  };
}
