import sshpk from "sshpk";
import { AppError } from "../../errors";

/*
 * SFTP repositories: the panel holds its own key pair per repository (the private half sealed with
 * the repository's secrets, the public half for the server's authorized_keys) and pins the server's
 * host key given by the operator. OpenSSH formats are read and written by sshpk, not by hand.
 */

/** Where an sftp repository is, as restic reads `sftp:user@host:/path` or `sftp://user@host:port//path`. */
export interface SftpEndpoint {
  user: string;
  host: string;
  port: number;
  path: string;
}

const HOST = String.raw`(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)`;
const SHORT = new RegExp(String.raw`^sftp:([A-Za-z0-9._-]+)@(${HOST}):(/[^\s]*)$`);
const LONG = new RegExp(String.raw`^sftp://([A-Za-z0-9._-]+)@(${HOST})(?::(\d{1,5}))?/(/[^\s]*)$`);

export function parseSftpLocation(location: string): SftpEndpoint | null {
  const short = SHORT.exec(location);
  if (short) return { user: short[1]!, host: short[2]!, port: 22, path: short[3]! };
  const long = LONG.exec(location);
  if (long) {
    const port = long[3] ? Number(long[3]) : 22;
    if (port < 1 || port > 65535) return null;
    return { user: long[1]!, host: long[2]!, port, path: long[4]! };
  }
  return null;
}

/** A new key pair for one repository: ed25519, the private half in OpenSSH's own format. */
export function generateSshKeyPair(comment: string): { privateKey: string; publicKey: string } {
  const key = sshpk.generatePrivateKey("ed25519");
  key.comment = comment;
  const publicKey = key.toPublic();
  publicKey.comment = comment;
  return { privateKey: key.toString("openssh"), publicKey: publicKey.toString("ssh") };
}

/** The public line of a private key (a kit's key attached again). */
export function publicKeyOf(privateKey: string, comment: string): string {
  let key: sshpk.PrivateKey;
  try {
    key = sshpk.parsePrivateKey(privateKey, "openssh");
  } catch {
    throw new AppError("bad_input", "The SSH private key of this repository cannot be read.", {
      hint: "Paste the key exactly as the recovery kit gives it, from BEGIN to END; nothing was added.",
    });
  }
  const publicKey = key.toPublic();
  publicKey.comment = comment;
  return publicKey.toString("ssh");
}

/**
 * The server's host key as the operator pasted it: a line of `ssh-keyscan` (host, type, key) or of
 * `/etc/ssh/ssh_host_*_key.pub` (type, key, comment). Kept as "type key"; anything else refused.
 */
export function normalizeHostKey(raw: string): string | null {
  const fields = raw.trim().split(/\s+/);
  const at = fields.findIndex((f) => /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521))$/.test(f));
  if (at < 0 || at > 1 || !fields[at + 1]) return null;
  const line = `${fields[at]} ${fields[at + 1]}`;
  try {
    const key = sshpk.parseKey(line, "ssh");
    return key.type === "ed25519" || key.type === "rsa" || key.type === "ecdsa" ? line : null;
  } catch {
    return null;
  }
}

/** "SHA256:…", as `ssh-keygen -lf` and ssh's own prompts show a key. */
export function keyFingerprint(line: string): string {
  return sshpk.parseKey(line, "ssh").fingerprint("sha256").toString();
}

/** The known_hosts line that pins `hostKey` for the repository's server. */
export function knownHostsLine(endpoint: SftpEndpoint, hostKey: string): string {
  const host = endpoint.port === 22 ? endpoint.host : `[${endpoint.host.replace(/^\[|\]$/g, "")}]:${endpoint.port}`;
  return `${host} ${hostKey}`;
}
