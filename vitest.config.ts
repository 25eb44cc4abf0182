import path from "node:path";
import { randomBytes } from "node:crypto";
import { defineConfig } from "vitest/config";
import LongestFirst from "./test/support/sequencer.ts";

/** The master key of the test run (the audit chain is keyed with it); a fresh one each run. */
const testEnv = { PANEL_SECRET_KEY: process.env.PANEL_SECRET_KEY ?? `test:${randomBytes(32).toString("base64")}` };

/**
 * Integration tests that would run alone, after the others (none today). The crash test kills its
 * worker at points where the worker waits to be killed (and accepts either ending of the one kill
 * that lands mid-migration), so it runs beside the others: alone, it left the second worker idle
 * for nearly two minutes. (The reboot test restarts an engine of its own, behind a relay of its own.)
 */
const SERIAL: string[] = [];

const alias = {
  "@": path.resolve(import.meta.dirname),
  "server-only": path.resolve(import.meta.dirname, "test/support/empty.ts"),
};

export default defineConfig({
  test: {
    // Three test files at a time: the integration tests often wait on Docker and PostgreSQL, and each works in its own
    // database, containers, volumes and ports. On this two-core machine the default would be one at a time; two left
    // the CPUs 26 % idle (521 s, 760 CPU-seconds), three keep them 92 % busy (446 s, 812 CPU-seconds).
    maxWorkers: Number(process.env.PL_VITEST_WORKERS ?? 3),
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts", "test/support/**/*.test.ts"],
          environment: "node",
          env: testEnv,
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: SERIAL,
          environment: "node",
          env: testEnv,
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 0 },
        },
      },
      // Then, alone: tests whose moments would be their subject, if any.
      ...(SERIAL.length
        ? [
            {
              resolve: { alias },
              test: {
                name: "integration-serial",
                include: SERIAL,
                environment: "node",
                env: testEnv,
                globalSetup: ["test/support/global-setup.ts"],
                testTimeout: 60_000,
                hookTimeout: 120_000,
                fileParallelism: false,
                sequence: { groupOrder: 1 },
              },
            },
          ]
        : []),
      // `npm run test:large` only: round trips of gigabytes, minutes each.
      ...(process.env.PL_LARGE_TESTS === "1"
        ? [
            {
              resolve: { alias },
              test: {
                name: "large",
                include: ["test/large/**/*.test.ts"],
                environment: "node",
                env: testEnv,
                globalSetup: ["test/support/global-setup.ts"],
                testTimeout: 1_800_000,
                hookTimeout: 1_800_000,
                sequence: { groupOrder: 2 },
              },
            },
          ]
        : []),
    ],
  },
});
