import type { Writable } from "node:stream";

/**
 * Demultiplexes a Docker attach/exec/logs stream (non-TTY) into stdout and
 * stderr sinks, with backpressure: the next chunk is read from the engine
 * only once the sink has taken the current one, so a slow sink slows the
 * engine down instead of buffering in memory. (docker-modem's demuxStream
 * writes without waiting: a 1 GiB dump into a slow sink held 1.1 GiB of RAM.)
 *
 * Frame: 1 byte stream type (0 stdin, 1 stdout, 2 stderr), 3 zero bytes,
 * 4 bytes big-endian payload length, then the payload.
 */
export async function demux(
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
  stdout: Writable,
  stderr: Writable,
): Promise<{ stdoutBytes: number; stderrBytes: number }> {
  let header = Buffer.alloc(0);
  let remaining = 0;
  let target: Writable | null = null;
  let stdoutBytes = 0;
  let stderrBytes = 0;

  const write = async (sink: Writable, data: Buffer) => {
    if (!sink.write(data)) await waitDrain(sink);
  };

  for await (const raw of source) {
    let chunk: Buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    while (chunk.length > 0) {
      if (remaining === 0) {
        const needed = 8 - header.length;
        header = Buffer.concat([header, chunk.subarray(0, needed)]);
        chunk = chunk.subarray(needed);
        if (header.length < 8) break;
        const type = header[0];
        remaining = header.readUInt32BE(4);
        target = type === 2 ? stderr : type === 1 ? stdout : null;
        header = Buffer.alloc(0);
        if (remaining === 0) continue;
      }
      const take = Math.min(remaining, chunk.length);
      const payload = chunk.subarray(0, take);
      chunk = chunk.subarray(take);
      remaining -= take;
      if (target === stdout) stdoutBytes += take;
      else if (target === stderr) stderrBytes += take;
      if (target) await write(target, payload);
    }
  }
  return { stdoutBytes, stderrBytes };
}

function waitDrain(sink: Writable): Promise<void> {
  // Fail instead of hanging forever if the sink breaks while we wait. Plain listeners: this runs for
  // every full buffer of a multi-gigabyte stream, and AbortSignal-based once() costs an error object each time.
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      sink.off("drain", onDrain);
      sink.off("error", onError);
      sink.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (error: unknown) => settle(error);
    const onClose = () => settle(new Error("the output was closed before the end of the stream"));
    sink.on("drain", onDrain);
    sink.on("error", onError);
    sink.on("close", onClose);
  });
}
