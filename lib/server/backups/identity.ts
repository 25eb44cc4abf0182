import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";

/**
 * The panel's backup identity: an age X25519 key in a file outside the
 * database (the database's own backups must not hold the key to the lab
 * notebooks' backups). Created at first start, mode 600, in the format of
 * `age-keygen`, so `age -d -i <file>` opens any restore point without the
 * panel.
 */
export interface BackupIdentity {
  /** AGE-SECRET-KEY-1… */
  identity: string;
  /** age1… */
  recipient: string;
  file: string;
}

const SECRET = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m;

export async function ensureBackupIdentity(file: string): Promise<{ identity: BackupIdentity; created: boolean }> {
  if (existsSync(file)) return { identity: await loadBackupIdentity(file), created: false };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const text = `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  const partial = `${file}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  renameSync(partial, file);
  return { identity: { identity, recipient, file }, created: true };
}

export async function loadBackupIdentity(file: string): Promise<BackupIdentity> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new AppError("config", msg`The backup identity file ${path.basename(file)} cannot be read.`, {
      hint: "Start the panel with `npm start` (it creates one), or point PANEL_BACKUP_IDENTITY_FILE at the key file.",
    });
  }
  const identity = SECRET.exec(text)?.[0];
  if (!identity) {
    throw new AppError("config", msg`The backup identity file ${path.basename(file)} holds no age secret key.`, {
      hint: "Restore the file from its offline copy; without it, existing backups can only be opened with an extra recipient's key.",
    });
  }
  try {
    chmodSync(file, 0o600);
  } catch {
    // Read-only mounts are fine.
  }
  return { identity, recipient: await identityToRecipient(identity), file };
}

/** An age X25519 recipient as `age-keygen -y` prints it. */
export const AGE_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
