import { describe, expect, it } from "vitest";
import { repositoryInputSchema } from "./repositories";
import {
  generateSshKeyPair,
  keyFingerprint,
  knownHostsLine,
  normalizeHostKey,
  parseSftpLocation,
  publicKeyOf,
} from "./ssh-keys";

describe("sftp repositories' addresses and keys", () => {
  it("reads both of restic's sftp address forms and refuses the rest", () => {
    expect(parseSftpLocation("sftp:backup@filer.example.org:/srv/restic/umr1")).toEqual({
      user: "backup",
      host: "filer.example.org",
      port: 22,
      path: "/srv/restic/umr1",
    });
    expect(parseSftpLocation("sftp://backup@filer.example.org:2222//srv/restic")).toEqual({
      user: "backup",
      host: "filer.example.org",
      port: 2222,
      path: "/srv/restic",
    });
    expect(parseSftpLocation("sftp://backup@[fd00::5]:2222//srv/r")?.host).toBe("[fd00::5]");
    for (const bad of [
      "sftp:filer:/srv/r", // no user
      "sftp:backup@filer:relative/path",
      "sftp://backup@filer:99999//srv/r",
      "sftp:backup@filer:/srv/r; rm -rf /",
      "rest:https://x/",
      "",
    ]) {
      expect(parseSftpLocation(bad), bad).toBeNull();
    }
  });

  it("generates a key pair ssh reads, and gives the public half of a kit's key back", () => {
    const pair = generateSshKeyPair("paillasse-umr1");
    expect(pair.privateKey).toMatch(
      /^-----BEGIN OPENSSH PRIVATE KEY-----\n[\s\S]+-----END OPENSSH PRIVATE KEY-----\n?$/,
    );
    expect(pair.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ paillasse-umr1$/);
    expect(publicKeyOf(pair.privateKey, "paillasse-umr1")).toBe(pair.publicKey);
    expect(generateSshKeyPair("x").publicKey).not.toBe(pair.publicKey);
    expect(() => publicKeyOf("not a key", "x")).toThrow(/cannot be read/);
  });

  it("pins a host key pasted from ssh-keyscan or a .pub file, and nothing else", () => {
    const { publicKey } = generateSshKeyPair("root@filer");
    const [type, blob] = publicKey.split(" ");
    expect(normalizeHostKey(publicKey)).toBe(`${type} ${blob}`);
    expect(normalizeHostKey(`filer.example.org ${type} ${blob}`)).toBe(`${type} ${blob}`);
    expect(normalizeHostKey(`  ${type}   ${blob}  \n`)).toBe(`${type} ${blob}`);
    expect(normalizeHostKey(`ssh-ed25519 ${blob!.slice(0, -8)}`)).toBeNull(); // truncated
    expect(normalizeHostKey("ssh-ed25519")).toBeNull();
    expect(normalizeHostKey("ssh-dss AAAAB3NzaC1kc3M=")).toBeNull();
    expect(normalizeHostKey("a b c ssh-ed25519 " + blob)).toBeNull();
    expect(keyFingerprint(`${type} ${blob}`)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(knownHostsLine(parseSftpLocation("sftp:u@filer:/r")!, "ssh-ed25519 K")).toBe("filer ssh-ed25519 K");
    expect(knownHostsLine(parseSftpLocation("sftp://u@filer:2222//r")!, "ssh-ed25519 K")).toBe(
      "[filer]:2222 ssh-ed25519 K",
    );
  });

  it("refuses an sftp repository without a usable host key, saying what to paste", () => {
    const base = { kind: "sftp", name: "filer", location: "sftp:backup@filer:/srv/r" };
    const missing = repositoryInputSchema.safeParse({ ...base, hostKey: "" });
    expect(missing.error?.issues[0]?.message).toMatch(/Give the server's host key/);
    const wrong = repositoryInputSchema.safeParse({ ...base, hostKey: "hello" });
    expect(wrong.error?.issues[0]?.message).toMatch(/not an SSH host key/);
    const address = repositoryInputSchema.safeParse({ ...base, location: "sftp:filer:/srv/r", hostKey: "x" });
    expect(address.error?.issues[0]?.message).toMatch(/Write an SFTP address/);
  });
});
