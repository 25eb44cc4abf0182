/**
 * Verification benchmark (part of `npm run bench`): proving a restic restore point costs a sample,
 * not the data. Two instances with the same database (BENCH_VERIFY_DB_MIB, default 128) and uploads
 * of BENCH_VERIFY_SMALL_MIB (1024) and BENCH_VERIFY_LARGE_MIB (4096) of many small files and some
 * large compressible and incompressible ones, each backed up once by the backup operation (the
 * panel's RSS growth there is the 1 GiB and 4 GiB figure), then BENCH_VERIFY_ROUNDS (3) interleaved
 * pairs of verifications by the verification operation: wall time, CPU-seconds per process and
 * each step's duration, median and spread, written to bench-results/verify.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import { removeVolume } from "../lib/docker";
import { env } from "../lib/env";
import { requestBackup } from "../lib/server/backups/create-backup";
import { ensureBackupIdentity } from "../lib/server/backups/identity";
import { assignPolicy, createPolicy } from "../lib/server/backups/policies";
import { requestVerification } from "../lib/server/backups/verify-backup";
import { createPrismaClient, type Db } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { executeOperation } from "../lib/server/operations/execute";
import { createRepository } from "../lib/server/repositories/repositories";
import { ROOT } from "../e2e/support/panel-process";
import { removeTestContainers, testEngine, uniqueName } from "../test/support/docker";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";
import { measure, median, round1, summary, type Measured } from "./support/bench-measure";
import { filledInstance } from "./support/bench-instance";

const DB_MIB = Number(process.env.BENCH_VERIFY_DB_MIB ?? 128);
const SIZES = {
  small: Number(process.env.BENCH_VERIFY_SMALL_MIB ?? 1024),
  large: Number(process.env.BENCH_VERIFY_LARGE_MIB ?? 4096),
};
const ROUNDS = Number(process.env.BENCH_VERIFY_ROUNDS ?? 3);
const say = (line: string) => console.log(`[bench:verify] ${line}`);

async function main() {
  const engine = await testEngine();
  const dockerdPid = Number(readFileSync(path.join(process.env.PL_TEST_DIR ?? "/tmp/pl-test", "docker.pid"), "utf8"));
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-verify-"));
  const identityFile = path.join(work, "backup-identity.txt");
  await ensureBackupIdentity(identityFile);
  const options = { owner: "bench", backup: { identityFile, defaultDir: path.join(work, "files") } };
  const server = await acquireTestServer();
  const ring = parseKeyRing(generateKeySpec());
  const made: { run: string; url: string; db: Db; uploadsVolume: string }[] = [];
  try {
    const sides = {} as Record<keyof typeof SIZES, Awaited<ReturnType<typeof side>>>;
    // Each instance in a panel database of its own (one engine is one host of one inventory).
    async function side(key: keyof typeof SIZES) {
      const run = uniqueName(`bench-verify-${key}`);
      const url = await createTestDatabase(server, `bench_verify_${key}`);
      const db = createPrismaClient(url);
      made.push({ run, url, db, uploadsVolume: `${run}-uploads` });
      await migrate(url, path.join(ROOT, "prisma", "migrations"), () => {});
      say(`${key}: filling ~${DB_MIB} MiB of HTML rows and ~${SIZES[key]} MiB of uploads…`);
      const instance = await filledInstance(engine, db, ring, {
        run,
        name: `verify-${key}`,
        unit: key.toUpperCase(),
        databaseMiB: DB_MIB,
        uploadsMiB: SIZES[key],
      });
      const repoDir = path.join(work, `repository-${key}`);
      mkdirSync(repoDir);
      const { id: repositoryId } = await createRepository(
        db,
        ring,
        instance.actor,
        { kind: "host_directory", name: `bench ${key}`, hostId: instance.hostId, location: repoDir },
        instance.context,
      );
      const policyId = await createPolicy(
        db,
        instance.actor,
        {
          name: "bench",
          schedule: "30 2 * * *",
          timezone: "Europe/Paris",
          retentionDays: 60,
          keepLast: 7,
          destinationDir: path.join(work, "files"),
        },
        instance.context,
      );
      await db.backupPolicy.update({ where: { id: policyId }, data: { repositoryId } });
      await assignPolicy(db, instance.actor, instance.instanceId, policyId, instance.context);
      return { ...instance, db, repoDir };
    }
    sides.small = await side("small");
    sides.large = await side("large");

    const backups: Record<string, { measured: Measured; backupId: string }> = {};
    for (const key of ["small", "large"] as const) {
      const s = sides[key];
      say(`${key}: first backup…`);
      let operationId = "";
      const measured = await measure(dockerdPid, s.databaseId, async () => {
        operationId = await requestBackup(s.db, s.actor, { instanceId: s.instanceId, trigger: "manual" }, s.context);
        const outcome = await executeOperation(s.db, ring, operationId, { ...options, verifyAfterBackup: false });
        if (outcome !== "succeeded") throw new Error(`the ${key} backup ended ${outcome}`);
      });
      const row = await s.db.backup.findFirstOrThrow({ where: { operationId } });
      backups[key] = { measured, backupId: row.id };
    }

    const figures: Record<"small" | "large", { measured: Measured; steps: Record<string, number> }[]> = {
      small: [],
      large: [],
    };
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which goes first, so that neither always runs on a warmer machine.
      const order = round % 2 ? (["small", "large"] as const) : (["large", "small"] as const);
      for (const key of order) {
        const s = sides[key];
        say(`Round ${round} of ${ROUNDS}: verifying ${key}…`);
        let operationId = "";
        const measured = await measure(dockerdPid, s.databaseId, async () => {
          operationId = await requestVerification(s.db, backups[key]!.backupId, s.actor.id);
          const outcome = await executeOperation(s.db, ring, operationId, options);
          if (outcome !== "succeeded") throw new Error(`the ${key} verification ended ${outcome}`);
        });
        const steps = await s.db.operationStep.findMany({ where: { operationId } });
        figures[key].push({
          measured,
          steps: Object.fromEntries(
            steps.map((st) => [
              st.key,
              round1(((st.finishedAt?.getTime() ?? 0) - (st.startedAt?.getTime() ?? 0)) / 1000),
            ]),
          ),
        });
      }
    }

    const wall = (key: "small" | "large") => summary(figures[key].map((f) => f.measured.wallS));
    const stepKeys = [...new Set(figures.small.flatMap((f) => Object.keys(f.steps)))];
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg() },
      sizes: { databaseMiB: DB_MIB, uploadsMiB: SIZES },
      readBudgetMiB: env().PANEL_VERIFY_READ_MIB,
      rounds: ROUNDS,
      verification: Object.fromEntries(
        (["small", "large"] as const).map((key) => [
          key,
          {
            wallSeconds: wall(key),
            cpuSeconds: Object.fromEntries(
              (["panel", "dockerd", "database", "rest"] as const).map((p) => [
                p,
                summary(figures[key].map((f) => f.measured.cpuS[p])),
              ]),
            ),
            stepSeconds: Object.fromEntries(
              stepKeys.map((k) => [k, summary(figures[key].map((f) => f.steps[k] ?? 0))]),
            ),
          },
        ]),
      ),
      largeOverSmall:
        Math.round(
          (median(figures.large.map((f) => f.measured.wallS)) / median(figures.small.map((f) => f.measured.wallS))) *
            100,
        ) / 100,
      firstBackup: Object.fromEntries(
        Object.entries(backups).map(([key, b]) => [
          key,
          { wallS: b.measured.wallS, cpuS: b.measured.cpuS, panelRssGrowthMiB: b.measured.rssGrowthMiB },
        ]),
      ),
      targets: { largeOverSmall: 1.2, panelRssGrowthMiB: 50 },
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "verify.json"), `${JSON.stringify(result, null, 2)}\n`);
    say(
      `verification wall medians: small ${result.verification.small!.wallSeconds.median} s, large ${result.verification.large!.wallSeconds.median} s (×${result.largeOverSmall}); first backups' RSS growth ${JSON.stringify(Object.fromEntries(Object.entries(backups).map(([k, b]) => [k, b.measured.rssGrowthMiB])))} MiB`,
    );
    say("Written to bench-results/verify.json.");
  } finally {
    for (const m of made) {
      await removeTestContainers(engine, m.run).catch(() => undefined);
      await removeVolume(engine, m.uploadsVolume).catch(() => undefined);
      await m.db.$disconnect();
      await dropTestDatabase(server, m.url).catch(() => undefined);
    }
    await server.embedded?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
