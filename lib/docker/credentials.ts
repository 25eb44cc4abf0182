import { X509Certificate, createPrivateKey } from "node:crypto";
import ssh2 from "ssh2";

// ssh2 is CommonJS: take `utils` off the default export (a named import fails under Node's ESM loader).
const sshUtils = ssh2.utils;

/**
 * Checks of the credentials an operator pastes or uploads for a host, before
 * anything is stored: each returns null when usable, or a sentence saying
 * what is wrong and what to paste instead. Never echoes the secret.
 */
export function certificateProblem(pem: string, what: string): string | null {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    return `${what} is not a PEM certificate: paste the text that starts with “-----BEGIN CERTIFICATE-----”.`;
  }
  try {
    const cert = new X509Certificate(pem);
    if (new Date(cert.validTo) < new Date()) return `${what} expired on ${cert.validTo}: issue a new one.`;
    return null;
  } catch {
    return `${what} could not be read as a certificate: paste the whole PEM block, unchanged.`;
  }
}

export function tlsKeyProblem(pem: string): string | null {
  if (/ENCRYPTED/.test(pem)) {
    return "The client key is protected by a passphrase: the panel needs it without one (it stores it encrypted itself).";
  }
  try {
    createPrivateKey(pem);
    return null;
  } catch {
    return "The client key could not be read: paste the whole PEM private key (“-----BEGIN … PRIVATE KEY-----”).";
  }
}

/** Whether the client certificate and key belong together. */
export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

export function sshKeyProblem(text: string): string | null {
  const parsed = sshUtils.parseKey(text);
  if (parsed instanceof Error) {
    return /encrypted|passphrase/i.test(parsed.message)
      ? "The SSH key is protected by a passphrase: give the panel a dedicated key without one (it stores it encrypted itself)."
      : "The SSH private key could not be read: paste the whole key file (OpenSSH or PEM format).";
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) return "This is a public key: paste the private key file instead.";
  return null;
}
