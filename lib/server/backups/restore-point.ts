import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { open, seal, type KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { msg, type Wording } from "../../i18n/message";

/**
 * The restore-point format, in one place: a directory holding the encrypted
 * database dump, the encrypted uploads archive, a manifest that lists them
 * (sizes, hashes, every entry of the uploads tree) and the manifest's hash
 * sealed with the panel's master key. Written by a backup, read by the
 * verification, the restore and the upgrade's rollback.
 */
export const DATABASE_FILE = "database.sql.gz.age";
export const UPLOADS_FILE = "uploads.tar.gz.age";
export const MANIFEST_FILE = "manifest.json";
/** The dump an upgrade takes inside its downtime, beside the pre-upgrade restore point (removed when it ends). */
export const FINAL_DUMP_FILE = "final-database.sql.gz.age";
export const MANIFEST_SEAL = "manifest.seal";
export const manifestSealContext = (backupId: string) => `backup:${backupId}:manifest`;

const writtenFile = { bytes: z.number(), sha256: z.string(), plainBytes: z.number() };
const uploadEntry = z.object({
  path: z.string(),
  /** Absent in restore points written before links were recorded: a regular file. */
  type: z.enum(["file", "directory", "symlink", "hardlink", "other"]).optional(),
  size: z.number(),
  sha256: z.string().optional(),
  target: z.string().optional(),
  mode: z.number(),
  uid: z.number(),
  gid: z.number(),
  mtime: z.number().optional(),
});

/** The manifest: format 2 lists every entry of the uploads tree with its type; format 1, regular files only. */
export const manifestSchema = z.object({
  format: z.enum(["paillasse-backup/1", "paillasse-backup/2"]),
  backupId: z.string(),
  instance: z.object({ id: z.string(), name: z.string(), unit: z.string(), siteUrl: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  image: z.string(),
  elabftwVersion: z.string().nullable(),
  schema: z.number().nullable(),
  recipients: z.array(z.string()),
  database: z.object({
    ...writtenFile,
    file: z.string(),
    server: z.string(),
    tables: z.record(z.string(), z.number()),
  }),
  uploads: z.object({ ...writtenFile, file: z.string(), files: z.array(uploadEntry) }),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

/** A restore point that cannot be trusted: the reason, and what to do. */
export class VerificationFailure extends AppError {
  constructor(message: Wording) {
    super("conflict", message, {
      hint: "This backup cannot be trusted; run a new backup and find out what changed it.",
    });
  }
}

/** Write the manifest and its seal into `dir`; returns the manifest's text and SHA-256 (kept in the database too). */
export async function writeManifest(
  ring: KeyRing,
  dir: string,
  manifest: BackupManifest,
): Promise<{ text: string; sha256: string }> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const sha256 = createHash("sha256").update(text).digest("hex");
  await writeFile(path.join(dir, MANIFEST_FILE), text, { mode: 0o600 });
  // Tamper evidence: the manifest's hash sealed with the panel's master key (and kept in the database).
  await writeFile(path.join(dir, MANIFEST_SEAL), seal(ring, sha256, manifestSealContext(manifest.backupId)), {
    mode: 0o600,
  });
  return { text, sha256 };
}

/** The manifest of a restore point, after checking its seal, the hash the database kept, and its shape. */
export async function readManifest(db: Db, ring: KeyRing, backupId: string) {
  const backup = await db.backup.findUnique({
    where: { id: backupId },
    select: {
      id: true,
      location: true,
      manifestSha256: true,
      instance: {
        select: { databaseHostId: true, databaseContainerName: true, databasePlacement: true, webHostId: true },
      },
    },
  });
  if (!backup) {
    throw new AppError("not_found", "This backup is no longer in the inventory (it was removed since).", {
      hint: "Pick another backup from the instance's list.",
    });
  }
  if (!backup.location) throw new VerificationFailure("This backup has no location on disk.");
  let text: string;
  let sealed: string;
  try {
    text = await readFile(path.join(backup.location, MANIFEST_FILE), "utf8");
    sealed = (await readFile(path.join(backup.location, MANIFEST_SEAL), "utf8")).trim();
  } catch (error) {
    throw new VerificationFailure(msg`The restore point's manifest cannot be read: ${(error as Error).message}.`);
  }
  const sha256 = createHash("sha256").update(text).digest("hex");
  let sealedHash: string;
  try {
    sealedHash = open(ring, sealed, manifestSealContext(backup.id));
  } catch {
    throw new VerificationFailure("The manifest's seal does not open: it was altered or belongs to another backup.");
  }
  if (sealedHash !== sha256 || backup.manifestSha256 !== sha256) {
    throw new VerificationFailure("The manifest was modified after the backup was written.");
  }
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new VerificationFailure("The manifest is not in a format this panel reads.");
  }
  return { backup, manifest: parsed.data };
}
