import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

it("streams 512 MiB of exec output into a slow consumer in bounded memory", () => {
  const output = execFileSync(process.execPath, ["--import", "tsx", "test/support/demux-memory.ts", "512", "32"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  const figures = JSON.parse(output.trim().split("\n").pop()!);
  console.log(
    `demux memory: ${figures.streamedBytes} bytes in ${figures.seconds} s into a 32 MiB/s consumer; ` +
      `RSS ${figures.baselineRssMiB} MiB → peak ${figures.peakRssMiB} MiB (+${figures.growthMiB} MiB)`,
  );
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  writeFileSync(path.join(ROOT, "test-results", "demux-memory.json"), JSON.stringify(figures, null, 2));
  expect(figures.exitCode).toBe(0);
  expect(figures.streamedBytes).toBe(512 * 1024 * 1024);
  // The consumer is slower than the producer: without backpressure the whole
  // output would pile up in memory (hundreds of MiB). Bounded means a few
  // socket and stream buffers.
  expect(figures.growthMiB).toBeLessThan(64);
}, 150_000);
