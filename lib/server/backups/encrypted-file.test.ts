import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { hashFile, openEncryptedFile, writeEncryptedFile } from "./encrypted-file";

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Encrypted files of a restore point: round trips at and around age's 64 KiB chunk boundaries, tamper detection. */
describe("encrypted backup files", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-"));

  it("round-trips byte for byte at and around the chunk boundaries, to every recipient", async () => {
    const panel = await generateIdentity();
    const recovery = await generateIdentity();
    const recipients = [await identityToRecipient(panel), await identityToRecipient(recovery)];
    for (const size of [0, 1, 65535, 65536, 65537, 3 * 65536, 1_000_003]) {
      // Random data does not compress: the encrypted stream crosses the same boundaries.
      const data = randomBytes(size);
      const file = path.join(dir, `f-${size}.gz.age`);
      const written = await writeEncryptedFile(Readable.from([data]), file, recipients);
      expect(written.plainBytes).toBe(size);
      expect(await hashFile(file)).toEqual({ bytes: written.bytes, sha256: written.sha256 });
      for (const identity of [panel, recovery]) {
        expect((await text(await openEncryptedFile(file, [identity]))).equals(data)).toBe(true);
      }
    }
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });

  it("opens with the standard age and gunzip tools, without the panel", async () => {
    const identity = await generateIdentity();
    const keyFile = path.join(dir, "key.txt");
    writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
    const data = Buffer.from("-- MySQL dump\nINSERT INTO `t` VALUES (1);\n-- Dump completed\n");
    const file = path.join(dir, "dump.sql.gz.age");
    await writeEncryptedFile(Readable.from([data]), file, [await identityToRecipient(identity)]);
    const out = execFileSync("sh", ["-c", `age -d -i "${keyFile}" "${file}" | gunzip`]);
    expect(out.equals(data)).toBe(true);
  });

  it("refuses a flipped bit, a truncated file and a wrong key", async () => {
    const identity = await generateIdentity();
    const data = randomBytes(200_000);
    const file = path.join(dir, "t.gz.age");
    await writeEncryptedFile(Readable.from([data]), file, [await identityToRecipient(identity)]);
    const original = readFileSync(file);
    const flipped = Buffer.from(original);
    flipped[original.length - 100]! ^= 0x01;
    writeFileSync(path.join(dir, "flipped"), flipped);
    writeFileSync(path.join(dir, "truncated"), original.subarray(0, original.length - 1000));
    await expect(text(await openEncryptedFile(path.join(dir, "flipped"), [identity]))).rejects.toThrow();
    await expect(text(await openEncryptedFile(path.join(dir, "truncated"), [identity]))).rejects.toThrow();
    await expect((async () => text(await openEncryptedFile(file, [await generateIdentity()])))()).rejects.toThrow();
  });

  it("leaves no file when the source fails midway", async () => {
    const file = path.join(dir, "failed.gz.age");
    const source = new Readable({
      read() {
        this.push(randomBytes(100_000));
        this.destroy(new Error("the dump stopped"));
      },
    });
    await expect(
      writeEncryptedFile(source, file, [await identityToRecipient(await generateIdentity())]),
    ).rejects.toThrow("the dump stopped");
    expect(readdirSync(dir).filter((f) => f.startsWith("failed"))).toEqual([]);
  });
});
