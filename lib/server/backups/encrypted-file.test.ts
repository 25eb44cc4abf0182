import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Decrypter } from "age-encryption";
import {
  ageHeader,
  DecryptStream,
  EncryptStream,
  hashFile,
  openEncryptedFile,
  ParallelGzip,
  writeEncryptedFile,
} from "./encrypted-file";

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

  it("writes standard age payloads at exact chunk boundaries: the age tool and the reference library open them", async () => {
    const identity = await generateIdentity();
    const keyFile = path.join(dir, "boundary-key.txt");
    writeFileSync(keyFile, `${identity}\n`, { mode: 0o600 });
    const chunk = 64 * 1024;
    for (const size of [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, 2 * chunk + 1, 5 * chunk + 7]) {
      const data = randomBytes(size);
      const { header, payloadKey } = await ageHeader([await identityToRecipient(identity)]);
      const file = path.join(dir, `raw-${size}.age`);
      // Fed in odd-sized pieces so that chunks are cut across writes.
      const pieces = [];
      for (let o = 0; o < size; o += 7919) pieces.push(data.subarray(o, o + 7919));
      await pipeline(
        Readable.from(pieces),
        new EncryptStream(Promise.resolve({ header, payloadKey })),
        createWriteStream(file),
      );
      const expectedChunks = Math.max(1, Math.ceil(size / chunk));
      expect(statSync(file).size).toBe(header.length + size + 16 * expectedChunks);
      expect(execFileSync("age", ["-d", "-i", keyFile, file], { maxBuffer: 64 << 20 }).equals(data)).toBe(true);
      const reference = new Decrypter();
      reference.addIdentity(identity);
      expect(Buffer.from(await reference.decrypt(readFileSync(file))).equals(data)).toBe(true);
      // And back through the panel's own decryption.
      const out: Buffer[] = [];
      await pipeline(
        Readable.from([readFileSync(file).subarray(header.length)]),
        new DecryptStream(payloadKey),
        async function* (s: AsyncIterable<Buffer>) {
          for await (const c of s) out.push(c);
        },
      );
      expect(Buffer.concat(out).equals(data)).toBe(true);
    }
  });

  it("refuses a payload cut exactly at a chunk boundary (the last-chunk flag)", async () => {
    const identity = await generateIdentity();
    const { header, payloadKey } = await ageHeader([await identityToRecipient(identity)]);
    const file = path.join(dir, "cut.age");
    await pipeline(
      Readable.from([randomBytes(3 * 65536)]),
      new EncryptStream(Promise.resolve({ header, payloadKey })),
      createWriteStream(file),
    );
    const payload = readFileSync(file).subarray(header.length);
    const cut = payload.subarray(0, 2 * (65536 + 16));
    await expect(
      pipeline(Readable.from([cut]), new DecryptStream(payloadKey), new PassThrough().resume()),
    ).rejects.toThrow(/failed authentication/);
    const swapped = Buffer.concat([
      payload.subarray(65552, 2 * 65552),
      payload.subarray(0, 65552),
      payload.subarray(2 * 65552),
    ]);
    await expect(
      pipeline(Readable.from([swapped]), new DecryptStream(payloadKey), new PassThrough().resume()),
    ).rejects.toThrow(/chunk 0 .*failed authentication/);
  });

  it("gzips in parallel blocks that gunzip and Node read back as one stream", async () => {
    const block = 1 << 20;
    for (const size of [0, 1, block - 1, block, 3 * block + 5]) {
      // Half text (compressible), half random.
      const data = Buffer.concat([
        Buffer.alloc(size >> 1, "INSERT INTO t VALUES (1);\n"),
        randomBytes(size - (size >> 1)),
      ]);
      const file = path.join(dir, `p-${size}.gz`);
      await pipeline(Readable.from([data]), new ParallelGzip(4), createWriteStream(file));
      expect(execFileSync("gunzip", ["-c", file], { maxBuffer: 64 << 20 }).equals(data)).toBe(true);
      const members = readFileSync(file).reduce(
        (n, b, i, all) => n + (b === 0x1f && all[i + 1] === 0x8b && all[i + 2] === 8 ? 1 : 0),
        0,
      );
      expect(members).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(size / block)));
      const back: Buffer[] = [];
      for await (const c of Readable.from([readFileSync(file)]).pipe(createGunzip())) back.push(c as Buffer);
      expect(Buffer.concat(back).equals(data)).toBe(true);
    }
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
