/**
 * Repository benchmark (part of `npm run bench`): one instance on the test engine with an eLabFTW-like
 * database (HTML bodies, many rows: BENCH_RESTIC_DB_MIB, default 256) and uploads of many small
 * files plus some large compressible and incompressible ones (BENCH_RESTIC_UPLOADS_MIB, default 1024).
 * Three interleaved rounds, each in fresh repositories:
 *   raw        mysqldump and a tar of the uploads streamed to nothing (the floor for any backup);
 *   by hand    the same restic run an admin would type: `docker exec … mysqldump | docker run -i
 *              restic/restic …` with the same layout, into a repository directory;
 *   Paillasse  the backup operation's restic steps (first, full), then again after changing 1 % of
 *              the uploaded files and 1 % of the rows (second, incremental);
 *   elabctl    its way, first and second: dump in the container, `docker cp`, `gzip --best`, and
 *              `borg create` of the uploads and the dump (Debian's borgbackup, its cache kept).
 * Wall time and CPU-seconds per process (the panel, dockerd, the database container, and the rest
 * of the machine: helper containers and the Docker CLI), the panel's RSS growth, median and spread
 * over the rounds, written to bench-results/restic.json.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import { discard, execCapture, execStream, getArchive, removeVolume } from "../lib/docker";
import { backupOperation, backupSteps, DUMP_FLAGS, type BackupResults } from "../lib/server/backups/create-backup";
import { createPrismaClient } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { createOperation, memoryStepContext } from "../lib/server/operations/journal";
import { createRepository } from "../lib/server/repositories/repositories";
import { ROOT } from "../e2e/support/panel-process";
import { removeTestContainers, TEST_SOCKET, testEngine, uniqueName } from "../test/support/docker";
import { rootSql } from "../test/support/elabftw";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";
import { docker, measure, median, round1, summary, type Measured } from "./support/bench-measure";
import { filledInstance } from "./support/bench-instance";

const DB_MIB = Number(process.env.BENCH_RESTIC_DB_MIB ?? 256);
const UPLOADS_MIB = Number(process.env.BENCH_RESTIC_UPLOADS_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_RESTIC_ROUNDS ?? 3);
const say = (line: string) => console.log(`[bench:restic] ${line}`);

async function main() {
  const engine = await testEngine();
  const dockerdPid = Number(readFileSync(path.join(process.env.PL_TEST_DIR ?? "/tmp/pl-test", "docker.pid"), "utf8"));
  const run = uniqueName("bench-restic");
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-restic-"));
  const server = await acquireTestServer();
  const url = await createTestDatabase(server, "bench_restic");
  const db = createPrismaClient(url);
  let uploadsVolume = `${run}-uploads`;
  try {
    await migrate(url, path.join(ROOT, "prisma", "migrations"), () => {});
    say(`Filling the database with ~${DB_MIB} MiB of HTML rows and the uploads with ~${UPLOADS_MIB} MiB…`);
    const ring = parseKeyRing(generateKeySpec());
    const bench = await filledInstance(engine, db, ring, {
      run,
      name: "bench",
      unit: "BENCH",
      databaseMiB: DB_MIB,
      uploadsMiB: UPLOADS_MIB,
    });
    const { mysql, web, schema, databaseId, actor, hostId, instanceId, context } = bench;
    uploadsVolume = bench.uploadsVolume;

    async function paillasseBackup(repositoryId: string, trigger: "manual" | "pre_upgrade" = "manual") {
      const plan = { instanceId, trigger, repositoryId };
      const operationId = await createOperation(db, {
        operation: backupOperation,
        instanceId,
        params: plan,
        steps: [],
      });
      const results: Record<string, unknown> = {};
      // BENCH_RESTIC_TIMELINE=1: each journal line and step with its time since the backup began (where the
      // seconds of a backup that costs little go).
      const began = Date.now();
      const timeline = (line: string) =>
        process.env.BENCH_RESTIC_TIMELINE === "1" && say(`  ${String(Date.now() - began).padStart(6)} ms  ${line}`);
      const ctx = memoryStepContext<BackupResults>(operationId, results, {
        log: async (message) => void timeline(message.slice(0, 220)),
        progress: async () => {},
      });
      for (const step of backupSteps(db, ring, operationId, plan)) {
        timeline(`step ${step.key}`);
        results[step.key] = (await step.run(ctx)) ?? null;
      }
      timeline("done");
      // Ended, so that the next backup of the instance may start (one operation per instance at a time).
      await db.operation.update({ where: { id: operationId }, data: { state: "succeeded", finishedAt: new Date() } });
      await db.instance.update({ where: { id: instanceId }, data: { activeOperationId: null } });
      return ctx.result("snapshot");
    }
    const dumpCmd = ["mysqldump", "-u", "elabftw", ...DUMP_FLAGS, schema];
    const env = { MYSQL_PWD: mysql.userPassword };

    // borg in a helper of the fixture image (Debian's borgbackup), with its cache and security directory
    // on a volume: what `borg create` on the host keeps in ~/.cache/borg and ~/.config/borg.
    const borgRun = (volume: string, dumpDir: string | null) => [
      "run",
      "--rm",
      "-e",
      "BORG_PASSPHRASE=bench",
      "-v",
      `${volume}:/repo`,
      "-v",
      `${volume}-cache:/root/.cache/borg`,
      "-v",
      `${volume}-cache:/root/.config/borg`,
      "-v",
      `${uploadsVolume}:/elabftw/uploads:ro`,
      ...(dumpDir ? ["-v", `${dumpDir}:/dump:ro`] : []),
      "--entrypoint",
      "borg",
      "mysql:8.0",
    ];
    /** elabctl backup: mysqldump -r in the container, docker cp, gzip --best, then borg create of dump and uploads. */
    async function elabctlBackup(volume: string, archive: string) {
      const dir = mkdtempSync(path.join(work, "elabctl-"));
      await execCapture(engine, mysql.container, {
        cmd: [...dumpCmd.slice(0, -1), "-r", "/tmp/dump.sql", schema],
        env,
      });
      execFileSync("docker", ["cp", `${mysql.container}:/tmp/dump.sql`, path.join(dir, "dump.sql")], {
        env: { ...process.env, DOCKER_HOST: `unix://${TEST_SOCKET}` },
      });
      execFileSync("gzip", ["--best", path.join(dir, "dump.sql")]);
      await docker([
        ...borgRun(volume, dir),
        "create",
        "--compression",
        "lz4",
        `/repo::${archive}`,
        "/elabftw/uploads",
        "/dump",
      ]);
      await execCapture(engine, mysql.container, { cmd: ["rm", "-f", "/tmp/dump.sql"] });
      rmSync(dir, { recursive: true, force: true });
    }

    const figures: Record<string, Measured[]> = {
      raw: [],
      byHand: [],
      first: [],
      second: [],
      elabctlFirst: [],
      elabctlSecond: [],
      dumpOnly: [],
      unchanged: [],
    };
    const added: { first: number[]; second: number[] } = { first: [], second: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      say(`Round ${round} of ${ROUNDS}`);
      figures.raw!.push(
        await measure(dockerdPid, databaseId, () =>
          Promise.all([
            execStream(engine, mysql.container, { cmd: dumpCmd, env }, { stdout: discard(), stderr: discard() }),
            getArchive(engine, web, "/elabftw/uploads").then((a) => pipeline(a, discard())),
          ]),
        ),
      );
      // By hand, into its own fresh repository: the same layout, the docker CLI doing the piping.
      const handRepo = path.join(work, `hand-${round}`);
      mkdirSync(handRepo);
      // The admin's first backup by hand is `restic init` then `restic backup`, as the panel's first includes its init.
      figures.byHand!.push(
        await measure(dockerdPid, databaseId, async () => {
          await docker([
            "run",
            "--rm",
            "-e",
            "RESTIC_PASSWORD=bench",
            "-v",
            `${handRepo}:/repository`,
            "restic/restic:0.18.0",
            "-r",
            "/repository",
            "init",
            "-q",
          ]);
          await docker(
            [
              "run",
              "-i",
              "--rm",
              "-e",
              "RESTIC_PASSWORD=bench",
              "-v",
              `${handRepo}:/repository`,
              "-v",
              `${uploadsVolume}:/restore-point/uploads:ro`,
              "--entrypoint",
              "sh",
              "restic/restic:0.18.0",
              "-c",
              "cat > /restore-point/database.sql && restic -r /repository backup -q --host bench /restore-point",
            ],
            { from: ["exec", "-e", `MYSQL_PWD=${mysql.userPassword}`, mysql.container, ...dumpCmd] },
          );
        }),
      );
      rmSync(handRepo, { recursive: true, force: true });

      const repoDir = path.join(work, `paillasse-${round}`);
      mkdirSync(repoDir);
      const { id: repositoryId } = await createRepository(
        db,
        ring,
        actor,
        { kind: "host_directory", name: `bench ${round}`, hostId, location: repoDir },
        context,
      );
      let first: Awaited<ReturnType<typeof paillasseBackup>> | null = null;
      figures.first!.push(
        await measure(dockerdPid, databaseId, async () => (first = await paillasseBackup(repositoryId))),
      );
      added.first.push(first!.addedBytes);
      // elabctl's way into its own borg repository (initialized beforehand, as elabctl expects): its first
      // backup now, its second after the same changes, borg's files cache kept between them as on a host.
      const borg = `${run}-borg-${round}`;
      await docker(["volume", "create", borg]);
      await docker(["volume", "create", `${borg}-cache`]);
      await docker([...borgRun(borg, null), "init", "--encryption=repokey-blake2", "/repo"]);
      figures.elabctlFirst!.push(await measure(dockerdPid, databaseId, () => elabctlBackup(borg, "first")));
      // 1 % of the uploaded files and 1 % of the rows change.
      await execCapture(engine, web, {
        cmd: [
          "sh",
          "-c",
          `find /elabftw/uploads -type f | awk 'NR % 100 == ${round}' | while read f; do echo "modifié ${round}" >> "$f"; done`,
        ],
      });
      await rootSql(
        engine,
        mysql,
        `UPDATE experiments SET title = CONCAT(title, ' v${round}') WHERE id % 100 = ${round};`,
        schema,
      );
      let second: Awaited<ReturnType<typeof paillasseBackup>> | null = null;
      figures.second!.push(
        await measure(dockerdPid, databaseId, async () => (second = await paillasseBackup(repositoryId))),
      );
      added.second.push(second!.addedBytes);
      // The backup an upgrade takes first, of an instance unchanged since the last one: what it costs beyond
      // the dump (measured on its own just before).
      figures.dumpOnly!.push(
        await measure(dockerdPid, databaseId, () =>
          execCapture(engine, mysql.container, { cmd: ["sh", "-c", `${dumpCmd.join(" ")} > /dev/null`], env }),
        ),
      );
      figures.unchanged!.push(
        await measure(dockerdPid, databaseId, () => paillasseBackup(repositoryId, "pre_upgrade")),
      );
      rmSync(repoDir, { recursive: true, force: true });
      figures.elabctlSecond!.push(await measure(dockerdPid, databaseId, () => elabctlBackup(borg, "second")));
      await docker(["volume", "rm", "-f", borg, `${borg}-cache`]);
    }

    const wall = (k: string) => summary(figures[k]!.map((m) => m.wallS));
    const cpu = (k: string) =>
      Object.fromEntries(
        (["panel", "dockerd", "database", "rest"] as const).map((p) => [p, summary(figures[k]!.map((m) => m.cpuS[p]))]),
      );
    const ratio = (a: string, b: string) =>
      round1((median(figures[a]!.map((m) => m.wallS)) / median(figures[b]!.map((m) => m.wallS))) * 100) / 100;
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg() },
      sizes: {
        databaseMiB: DB_MIB,
        uploadsMiB: UPLOADS_MIB,
        smallFiles: bench.smallFiles,
        largeFiles: bench.largeFiles,
      },
      rounds: ROUNDS,
      wallSeconds: Object.fromEntries(Object.keys(figures).map((k) => [k, wall(k)])),
      cpuSeconds: Object.fromEntries(Object.keys(figures).map((k) => [k, cpu(k)])),
      addedMiB: {
        first: summary(added.first.map((b) => b / 2 ** 20)),
        second: summary(added.second.map((b) => b / 2 ** 20)),
      },
      ratios: {
        firstOverByHand: ratio("first", "byHand"),
        firstOverRaw: ratio("first", "raw"),
        secondOverFirst: ratio("second", "first"),
        elabctlSecondOverSecond: ratio("elabctlSecond", "second"),
        elabctlFirstOverFirst: ratio("elabctlFirst", "first"),
      },
      // The pre-upgrade backup of an unchanged instance, beyond its dump (medians of the same rounds).
      unchangedBeyondDumpSeconds: round1(
        median(figures.unchanged!.map((m) => m.wallS)) - median(figures.dumpOnly!.map((m) => m.wallS)),
      ),
      panelRssGrowthMiB: summary([...figures.first!, ...figures.second!].map((m) => m.rssGrowthMiB)),
      targets: {
        firstOverByHand: 1.1,
        secondOverFirst: 0.1,
        elabctlSecondOverSecond: 2,
        panelRssGrowthMiB: 50,
        unchangedBeyondDumpSeconds: 15,
      },
      notes: [
        "elabctl: mysqldump -r in the container, docker cp, gzip --best, borg create (lz4, repokey-blake2) of the uploads and the dump, borg's cache kept between runs as on a host.",
        "cpuSeconds.rest is the machine's other busy time during the run: helper containers, the Docker CLI, other load.",
      ],
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "restic.json"), `${JSON.stringify(result, null, 2)}\n`);
    say(
      `wall medians: ${JSON.stringify(Object.fromEntries(Object.entries(result.wallSeconds).map(([k, v]) => [k, v.median])))}`,
    );
    say(`ratios: ${JSON.stringify(result.ratios)}; panel RSS growth ${JSON.stringify(result.panelRssGrowthMiB)} MiB`);
    say("Written to bench-results/restic.json.");
  } finally {
    await removeTestContainers(engine, run).catch(() => undefined);
    await removeVolume(engine, uploadsVolume).catch(() => undefined);
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
