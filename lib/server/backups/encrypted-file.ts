import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { Decrypter, Encrypter } from "age-encryption";

/**
 * One file of a restore point: gzip, then age (X25519 recipients, the
 * standard format: `age -d -i key file | gunzip` opens it without the
 * panel), written under a temporary name, flushed to disk, then renamed, so
 * nothing that looks complete exists before it is. age-encryption is the
 * reference TypeScript implementation of age (by age's author) and streams.
 */
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
  private readonly hash = createHash("sha256");
  constructor(private readonly onBytes?: (total: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }
  digest(): string {
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
  const encrypter = new Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  const plain = new Meter(options.onPlainBytes);
  const written = new Meter();
  const partial = `${file}.partial`;
  try {
    await pipeline(
      source,
      plain,
      createGzip({ level: options.gzipLevel ?? 4, chunkSize: 1 << 20 }),
      async function* (compressed: AsyncIterable<Uint8Array>) {
        const encrypted = await encrypter.encrypt(webStream(Readable.from(compressed)));
        for await (const chunk of encrypted as unknown as AsyncIterable<Uint8Array>) yield chunk;
      },
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

/** A Node stream as the web stream age-encryption reads. */
function webStream(readable: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(readable) as unknown as ReadableStream<Uint8Array>;
}

/** The plaintext of an encrypted file, streamed (age decrypts and authenticates each 64 KiB chunk). */
export async function openEncryptedFile(file: string, identities: string[]): Promise<Readable> {
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  const plain = await decrypter.decrypt(webStream(createReadStream(file)));
  const out = new PassThrough();
  pipeline(Readable.fromWeb(plain as unknown as Parameters<typeof Readable.fromWeb>[0]), createGunzip(), out).catch(
    (error) => out.destroy(error as Error),
  );
  return out;
}

/** SHA-256 and size of a file on disk. */
export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const meter = new Meter();
  await pipeline(createReadStream(file), meter, new PassThrough().resume());
  return { bytes: meter.bytes, sha256: meter.digest() };
}
