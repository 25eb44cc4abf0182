/**
 * Backup benchmark (part of `npm run bench`): one instance on the test
 * engine with BENCH_DB_MIB of database (default 1024) and BENCH_UPLOADS_MIB of
 * uploads (default 3072, random bytes like PDFs and images), backed up three
 * ways in one run:
 *   raw        mysqldump and the uploads tar streamed to nothing, both at
 *              once (the engine's own speed, the floor for any backup);
 *   elabctl    dump to a file inside the container, `docker cp` it out,
 *              `gzip --best`, tar of the uploads to a file;
 *   Paillasse  the real backup steps (dump and tar, gzip, age, to disk).
 * Wall times, their ratios and Paillasse's peak RSS are printed and written to
 * bench-results/backup.json. Targets: Paillasse ≤ 1.2× raw, ≥ 2× faster than
 * elabctl, peak RSS ≤ 200 MiB.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import { discard, execCapture, execStream, getArchive, removeVolume } from "../lib/docker";
import { backupOperation, backupSteps, DUMP_FLAGS, type BackupResults } from "../lib/server/backups/create-backup";
import { ensureBackupIdentity } from "../lib/server/backups/identity";
import { createPrismaClient } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { createOperation, memoryStepContext } from "../lib/server/operations/journal";
import { ROOT } from "../e2e/support/panel-process";
import { removeTestContainers, testEngine, uniqueName } from "../test/support/docker";
import { freshSchema, init, rootSql, startDatabase, startWeb } from "../test/support/elabftw";
import { adoptOnTestEngine } from "../test/support/instances";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";

const DB_MIB = Number(process.env.BENCH_DB_MIB ?? 1024);
const UPLOADS_MIB = Number(process.env.BENCH_UPLOADS_MIB ?? 3072);
const say = (line: string) => console.log(`[bench:backup] ${line}`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

async function main() {
  const engine = await testEngine();
  const run = uniqueName("bench-bkp");
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-backup-"));
  const server = await acquireTestServer();
  const url = await createTestDatabase(server, "bench_backup");
  const db = createPrismaClient(url);
  try {
    await migrate(url, path.join(ROOT, "prisma", "migrations"), () => {});
    const mysql = await startDatabase(engine, run);
    const schema = await freshSchema(engine, mysql);
    const web = await startWeb(engine, run, mysql, {
      image: "elabftw/elabimg:5.1.0",
      database: schema,
      secretKey: "def00000" + "f".repeat(120),
      uploadsVolume: `${run}-uploads`,
    });
    await init(engine, web, "db:install");

    say(`Filling the database with ${DB_MIB} MiB and the uploads with ${UPLOADS_MIB} MiB…`);
    // 64 KiB rows of base64 random text, doubled until the size is reached.
    const rows = Math.max(1, Math.round((DB_MIB * 1024) / 64));
    await rootSql(
      engine,
      mysql,
      `INSERT INTO experiments (title, body, date, userid) VALUES ('seed', (SELECT GROUP_CONCAT(TO_BASE64(RANDOM_BYTES(1024)) SEPARATOR '') FROM (SELECT seq FROM seq_1_to_48) s), CURDATE(), 1);`,
      schema,
    );
    for (let n = 1; n < rows; n *= 2) {
      await rootSql(
        engine,
        mysql,
        `INSERT INTO experiments (title, body, date, userid) SELECT title, CONCAT(TO_BASE64(RANDOM_BYTES(48)), SUBSTRING(body, 65)), date, userid FROM experiments LIMIT ${Math.min(n, rows - n)};`,
        schema,
      );
    }
    const files = Math.max(1, Math.round(UPLOADS_MIB / 64));
    await execCapture(engine, web, {
      cmd: [
        "sh",
        "-c",
        `i=0; while [ $i -lt ${files} ]; do d=/elabftw/uploads/$((i % 16)); mkdir -p $d; dd if=/dev/urandom of=$d/f$i.bin bs=1M count=64 status=none; i=$((i+1)); done; chown -R 101:101 /elabftw/uploads`,
      ],
    });

    // The same flags as the panel's own dump (create-backup.ts).
    const flags = DUMP_FLAGS;
    const dumpCmd = ["mysqldump", "-u", "elabftw", ...flags, schema];
    const env = { MYSQL_PWD: mysql.userPassword };

    say("raw: dump and uploads tar streamed to nothing, both at once as Paillasse does…");
    const raw = await timed(() =>
      Promise.all([
        execStream(engine, mysql.container, { cmd: dumpCmd, env }, { stdout: discard(), stderr: discard() }),
        getArchive(engine, web, "/elabftw/uploads").then((archive) => pipeline(archive, discard())),
      ]),
    );

    say("elabctl way: dump inside the container, docker cp, gzip --best, tar of the uploads…");
    const elabctlDir = path.join(work, "elabctl");
    mkdirSync(elabctlDir);
    const elabctl = await timed(async () => {
      await execCapture(engine, mysql.container, {
        cmd: [...dumpCmd.slice(0, -1), "-r", "/tmp/dump.sql", schema],
        env,
      });
      await pipeline(
        await getArchive(engine, mysql.container, "/tmp/dump.sql"),
        createWriteStream(path.join(elabctlDir, "dump.tar")),
      );
      execFileSync("sh", ["-c", `cd "${elabctlDir}" && tar -xf dump.tar && gzip --best dump.sql`]);
      await pipeline(
        await getArchive(engine, web, "/elabftw/uploads"),
        createWriteStream(path.join(elabctlDir, "uploads.tar")),
      );
      await execCapture(engine, mysql.container, { cmd: ["rm", "-f", "/tmp/dump.sql"] });
    });
    rmSync(elabctlDir, { recursive: true, force: true });

    say("Paillasse: the backup steps (gzip + age, to disk)…");
    const ring = parseKeyRing(generateKeySpec());
    const identityFile = path.join(work, "identity.txt");
    await ensureBackupIdentity(identityFile);
    const context = { ip: "127.0.0.1", userAgent: "bench" };
    const { instanceId } = await adoptOnTestEngine(db, ring, context, {
      email: "bench@unit.example",
      role: "operator",
      unit: { code: "BENCH", name: "Bench" },
      name: "bench",
      web,
      mysql,
      schema,
      uploads: `${run}-uploads`,
    });
    const operationId = await createOperation(db, {
      operation: backupOperation,
      instanceId,
      params: { instanceId, trigger: "manual" },
      steps: [],
    });
    const steps = backupSteps(
      db,
      ring,
      operationId,
      { instanceId, trigger: "manual" },
      {
        identityFile,
        defaultDir: path.join(work, "paillasse"),
      },
    );
    let peak = process.memoryUsage().rss;
    const baseline = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const results: Record<string, unknown> = {};
    const ctx = memoryStepContext<BackupResults>(operationId, results, {
      // The steps' own log lines, timed: which stream ended when.
      log: async (line: string) => say(`  +${seconds(performance.now() - benchStart)} s ${line}`),
      progress: async () => {},
    });
    const benchStart = performance.now();
    const stepSeconds: Record<string, number> = {};
    const paillasse = await timed(async () => {
      for (const step of steps) {
        const one = await timed(async () => (await step.run(ctx)) ?? null);
        results[step.key] = one.value;
        stepSeconds[step.key] = seconds(one.ms);
      }
    });
    clearInterval(sampler);
    const written = ctx.result("manifest");

    const figures = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
      sizes: {
        databaseMiB: DB_MIB,
        uploadsMiB: UPLOADS_MIB,
        paillasseWrittenMiB: Math.round(written.totalBytes / 2 ** 20),
      },
      seconds: { raw: seconds(raw.ms), elabctl: seconds(elabctl.ms), paillasse: seconds(paillasse.ms) },
      ratios: {
        paillasseOverRaw: Math.round((paillasse.ms / raw.ms) * 100) / 100,
        elabctlOverPaillasse: Math.round((elabctl.ms / paillasse.ms) * 100) / 100,
      },
      paillasseSteps: stepSeconds,
      paillassePeakRssMiB: Math.round(peak / 2 ** 20),
      paillasseRssGrowthMiB: Math.round((peak - baseline) / 2 ** 20),
      targets: { paillasseOverRaw: 1.2, elabctlOverPaillasse: 2, peakRssMiB: 200 },
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "backup.json"), `${JSON.stringify(figures, null, 2)}\n`);
    say(
      `raw ${figures.seconds.raw} s · elabctl ${figures.seconds.elabctl} s · Paillasse ${figures.seconds.paillasse} s` +
        ` (×${figures.ratios.paillasseOverRaw} raw, elabctl ×${figures.ratios.elabctlOverPaillasse}); peak RSS ${figures.paillassePeakRssMiB} MiB;` +
        ` steps ${JSON.stringify(stepSeconds)}`,
    );
    say("Written to bench-results/backup.json.");
  } finally {
    await removeTestContainers(engine, run).catch(() => undefined);
    await removeVolume(engine, `${run}-uploads`).catch(() => undefined);
    await db.$disconnect();
    await dropTestDatabase(server, url).catch(() => undefined);
    await server.embedded?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
