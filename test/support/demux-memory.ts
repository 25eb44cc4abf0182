/**
 * Measures the peak memory of streaming a large exec output through the
 * gateway into a deliberately slow consumer. Run in its own process so the
 * figure is this stream's alone:
 *   node --import tsx test/support/demux-memory.ts <MiB> <consumer MiB/s>
 * Prints one JSON line.
 */
import { Writable } from "node:stream";
import { createContainer, execStream, removeContainer, startContainer, discard } from "../../lib/docker";
import { BUSYBOX, TEST_LABEL, testEngine, uniqueName } from "./docker";

const mib = Number(process.argv[2] ?? 512);
const rate = Number(process.argv[3] ?? 256) * 1024 * 1024; // bytes per second the consumer accepts

const client = await testEngine();
const id = await createContainer(client, {
  name: uniqueName("mem"),
  image: BUSYBOX,
  cmd: ["sleep", "600"],
  labels: { [TEST_LABEL]: "demux-memory" },
});
try {
  await startContainer(client, id);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);

  let received = 0;
  let debt = 0;
  const slow = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      received += chunk.length;
      debt += (chunk.length / rate) * 1000;
      if (debt < 4) return done();
      const wait = debt;
      debt = 0;
      setTimeout(done, wait);
    },
  });
  const started = Date.now();
  const result = await execStream(
    client,
    id,
    { cmd: ["head", "-c", String(mib * 1024 * 1024), "/dev/zero"] },
    { stdout: slow, stderr: discard() },
  );
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    JSON.stringify({
      streamedBytes: received,
      exitCode: result.exitCode,
      seconds: (Date.now() - started) / 1000,
      baselineRssMiB: Math.round(baseline / 1048576),
      peakRssMiB: Math.round(peak / 1048576),
      growthMiB: Math.round((peak - baseline) / 1048576),
    }),
  );
} finally {
  await removeContainer(client, id, { force: true });
}
