import { createCipheriv, createDecipheriv, createHash, hkdfSync } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, gzip } from "node:zlib";
import { Decrypter, Encrypter, type Recipient } from "age-encryption";

/**
 * One file of a restore point: gzip, then age (X25519 recipients, the
 * standard format: `age -d -i key file | gunzip` opens it without the
 * panel), written under a temporary name, flushed to disk, then renamed, so
 * nothing that looks complete exists before it is.
 *
 * The header (recipient stanzas, HMAC) is made and read by age-encryption,
 * the reference TypeScript implementation by age's author. The payload is
 * age's STREAM construction (64 KiB ChaCha20-Poly1305 chunks, 11-byte
 * big-endian counter, last-chunk flag) run by Node's OpenSSL cipher: the
 * library's pure-JavaScript cipher moves about 80 MiB/s here, OpenSSL's
 * well over 1 GiB/s, and backups are gigabytes.
 */
const CHUNK = 64 * 1024;
const TAG = 16;
const NONCE = 16;
export interface WrittenFile {
  /** Bytes on disk (encrypted). */
  bytes: number;
  /** SHA-256 of the bytes on disk. */
  sha256: string;
  /** Bytes before compression. */
  plainBytes: number;
}

/** A pass-through that counts and hashes what goes by. */
export class Meter extends Transform {
  bytes = 0;
  private readonly hash: ReturnType<typeof createHash> | null;
  constructor(
    private readonly onBytes?: (total: number) => void,
    options: { hash?: boolean } = {},
  ) {
    super();
    this.hash = options.hash === false ? null : createHash("sha256");
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }
  digest(): string {
    if (!this.hash) throw new Error("this meter does not hash");
    return this.hash.digest("hex");
  }
}

export async function writeEncryptedFile(
  source: Readable,
  file: string,
  recipients: string[],
  options: { onPlainBytes?: (total: number) => void; gzipLevel?: number } = {},
): Promise<WrittenFile> {
  if (!recipients.length) throw new Error("no age recipient to encrypt to");
  // The pipeline is built at once (the source may be read by another consumer too); the header follows.
  const encrypt = new EncryptStream(ageHeader(recipients));
  // Only counted: the checksum that matters is the one of the bytes on disk.
  const plain = new Meter(options.onPlainBytes, { hash: false });
  const written = new Meter();
  const partial = `${file}.partial`;
  try {
    await pipeline(
      source,
      plain,
      new ParallelGzip(options.gzipLevel ?? 4),
      encrypt,
      written,
      createWriteStream(partial, { flags: "wx", mode: 0o600 }),
    );
    const handle = await open(partial, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { bytes: written.bytes, sha256: written.digest(), plainBytes: plain.bytes };
}

const gzipBlock = promisify(gzip);

/**
 * gzip on every core, the way pigz does it: the stream is cut into 1 MiB
 * blocks compressed at the same time on libuv's thread pool, each a complete
 * gzip member, written in order. A file of several members is standard gzip
 * (RFC 1952 §2.2): gunzip, zcat and Node's gunzip read them as one. One core
 * of this kind of machine gzips a SQL dump at about 40 MiB/s; a database of a
 * few GiB would otherwise wait on it.
 */
export class ParallelGzip extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly inFlight: Promise<Buffer>[] = [];
  constructor(
    private readonly level: number,
    private readonly blockSize = 1 << 20,
    private readonly parallel = 4,
  ) {
    super({ highWaterMark: 2 * (1 << 20) });
  }
  private dispatch(block: Buffer): void {
    // One output buffer for the whole member: the default 16 KiB would cost a main-thread callback per 16 KiB.
    this.inFlight.push(gzipBlock(block, { level: this.level, chunkSize: this.blockSize + 65536 }));
  }
  private async drainTo(limit: number): Promise<void> {
    while (this.inFlight.length > limit) this.push(await this.inFlight.shift()!);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.blockSize) return done();
    const all = Buffer.concat(this.pending);
    let offset = 0;
    for (; all.length - offset >= this.blockSize; offset += this.blockSize) {
      this.dispatch(all.subarray(offset, offset + this.blockSize));
    }
    this.pending = offset < all.length ? [all.subarray(offset)] : [];
    this.pendingBytes = all.length - offset;
    this.drainTo(this.parallel - 1).then(() => done(), done);
  }
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    for (const p of this.inFlight.splice(0)) p.catch(() => undefined);
    done(error);
  }
  override _flush(done: TransformCallback): void {
    // An empty input still makes one (empty) member: a valid .gz file.
    if (this.pendingBytes || !this.inFlight.length) this.dispatch(Buffer.concat(this.pending));
    this.pending = [];
    this.drainTo(0).then(() => done(), done);
  }
}

/**
 * A fresh age header for these recipients and the key of its payload. The
 * library wraps a random file key for each recipient and MACs the header; a
 * recipient of our own that adds no stanza hands us the same file key, from
 * which the payload key is derived as age does (HKDF-SHA-256, the payload
 * nonce as salt, "payload" as info).
 */
export async function ageHeader(recipients: string[]): Promise<{ header: Buffer; payloadKey: Buffer }> {
  let fileKey: Uint8Array | null = null;
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  const witness: Recipient = {
    wrapFileKey(key) {
      fileKey = Uint8Array.from(key);
      return [];
    },
  };
  encrypter.addRecipient(witness);
  // An empty file: header, 16-byte nonce, one empty last chunk (its 16-byte tag).
  const empty = Buffer.from(await encrypter.encrypt(new Uint8Array(0)));
  if (!fileKey) throw new Error("age did not wrap a file key");
  const nonceAndHeader = empty.subarray(0, empty.length - TAG);
  const nonce = nonceAndHeader.subarray(nonceAndHeader.length - NONCE);
  return {
    header: Buffer.from(nonceAndHeader),
    payloadKey: Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32)),
  };
}

function chunkNonce(counter: bigint, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // 11-byte big-endian counter: the top 3 bytes stay 0 below 2^64 chunks.
  nonce.writeBigUInt64BE(counter, 3);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** age STREAM encryption of a byte stream, prefixed with the header and nonce (made by ageHeader). */
export class EncryptStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private counter = 0n;
  private key: Buffer | null = null;
  constructor(private readonly keys: Promise<{ header: Buffer; payloadKey: Buffer }>) {
    super({ highWaterMark: 4 * CHUNK });
    keys.catch(() => undefined); // reported by the first write
  }
  private async sendHeader(): Promise<void> {
    if (this.key) return;
    const { header, payloadKey } = await this.keys;
    this.key = payloadKey;
    this.push(header);
  }
  /** Seal one chunk; body and tag are pushed as they come, without copying them together. */
  private seal(plain: Buffer, last: boolean): void {
    const cipher = createCipheriv("chacha20-poly1305", this.key!, chunkNonce(this.counter++, last), {
      authTagLength: TAG,
    });
    this.push(cipher.update(plain));
    cipher.final();
    this.push(cipher.getAuthTag());
  }
  private sealPending(last: boolean): void {
    const plain = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.seal(plain, last);
  }
  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.key) {
      this.sendHeader().then(() => this._transform(chunk, encoding, done), done);
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      // A full chunk is sealed only once more data follows: the last chunk carries the last flag.
      if (this.pendingBytes === CHUNK) this.sealPending(false);
      const take = Math.min(CHUNK - this.pendingBytes, chunk.length - offset);
      this.pending.push(offset === 0 && take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
      this.pendingBytes += take;
      offset += take;
    }
    done();
  }
  override _flush(done: TransformCallback): void {
    this.sendHeader()
      .then(() => this.sealPending(true))
      .then(() => done(), done);
  }
}

/** age STREAM decryption: every chunk authenticated; a truncated, reordered or altered stream is an error. */
export class DecryptStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private counter = 0n;
  constructor(private readonly key: Buffer) {
    super({ highWaterMark: 4 * CHUNK });
  }
  private open(sealed: Buffer, last: boolean): Buffer {
    if (sealed.length < TAG) throw new Error("the encrypted file is truncated");
    const decipher = createDecipheriv("chacha20-poly1305", this.key, chunkNonce(this.counter++, last), {
      authTagLength: TAG,
    });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    const body = decipher.update(sealed.subarray(0, sealed.length - TAG));
    try {
      decipher.final();
    } catch {
      throw new Error(
        `chunk ${this.counter - 1n} of the encrypted file failed authentication: it was altered, truncated or is not this file`,
      );
    }
    return body;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const full = CHUNK + TAG;
    if (this.pendingBytes <= full) return done();
    try {
      const all = Buffer.concat(this.pending);
      let offset = 0;
      const out: Buffer[] = [];
      while (all.length - offset > full) {
        out.push(this.open(all.subarray(offset, offset + full), false));
        offset += full;
      }
      this.pending = [all.subarray(offset)];
      this.pendingBytes = all.length - offset;
      done(null, Buffer.concat(out));
    } catch (error) {
      done(error as Error);
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      const body = this.open(Buffer.concat(this.pending), true);
      if (!body.length && this.counter > 1n) throw new Error("the encrypted file ends with an empty chunk");
      done(null, body);
    } catch (error) {
      done(error as Error);
    }
  }
}

/** Read an age header (and payload nonce) off the front of a file; the payload key and where the payload starts. */
async function readAgeHeader(
  file: string,
  identities: string[],
): Promise<{ payloadKey: Buffer; payloadStart: number }> {
  const handle = await open(file, "r");
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const marker = head.indexOf("\n--- ");
  const end = marker < 0 ? -1 : head.indexOf("\n", marker + 1);
  if (!head.subarray(0, 21).equals(Buffer.from("age-encryption.org/v1")) || end < 0) {
    throw new Error("this file is not an age-encrypted file (no age header)");
  }
  const header = head.subarray(0, end + 1);
  if (head.length < header.length + NONCE) throw new Error("the encrypted file is truncated");
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  const fileKey = await decrypter.decryptHeader(header);
  const nonce = head.subarray(header.length, header.length + NONCE);
  return {
    payloadKey: Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32)),
    payloadStart: header.length + NONCE,
  };
}

/** The plaintext of an encrypted file, streamed (each 64 KiB chunk decrypted and authenticated, then gunzipped). */
export async function openEncryptedFile(file: string, identities: string[]): Promise<Readable> {
  const { payloadKey, payloadStart } = await readAgeHeader(file, identities);
  const out = new PassThrough();
  pipeline(
    createReadStream(file, { start: payloadStart, highWaterMark: 1024 * 1024 }),
    new DecryptStream(payloadKey),
    createGunzip(),
    out,
  ).catch((error) => out.destroy(error as Error));
  return out;
}

/** SHA-256 and size of a file on disk. */
export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const meter = new Meter();
  await pipeline(createReadStream(file), meter, new PassThrough().resume());
  return { bytes: meter.bytes, sha256: meter.digest() };
}
