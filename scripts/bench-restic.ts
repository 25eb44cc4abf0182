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
import { execFileSync, spawn } from "node:child_process";
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
import { freshSchema, init, rootSql, startDatabase, startWeb } from "../test/support/elabftw";
import { adoptOnTestEngine } from "../test/support/instances";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";

const DB_MIB = Number(process.env.BENCH_RESTIC_DB_MIB ?? 256);
const UPLOADS_MIB = Number(process.env.BENCH_RESTIC_UPLOADS_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_RESTIC_ROUNDS ?? 3);
const say = (line: string) => console.log(`[bench:restic] ${line}`);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** CPU ticks of a process (utime + stime), in seconds. */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
/** All CPU time the machine spent, in seconds (every core). */
function machineCpu(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  return (cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!) / 100;
}
/** A container's CPU seconds from its cgroup (v2, or v1's cpuacct). */
function containerCpu(id: string): number {
  for (const dir of [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`]) {
    try {
      const usec = /usage_usec (\d+)/.exec(readFileSync(path.join(dir, "cpu.stat"), "utf8"))?.[1];
      if (usec) return Number(usec) / 1e6;
    } catch {
      // another cgroup layout
    }
  }
  try {
    return Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, "utf8")) / 1e9;
  } catch {
    return NaN;
  }
}

interface Measured {
  wallS: number;
  cpuS: { panel: number; dockerd: number; database: number; rest: number };
  rssGrowthMiB: number;
}

async function measure(dockerdPid: number, databaseId: string, run: () => Promise<unknown>): Promise<Measured> {
  const before = {
    panel: process.cpuUsage(),
    dockerd: processCpu(dockerdPid),
    database: containerCpu(databaseId),
    machine: machineCpu(),
  };
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(before.panel);
  const panel = (used.user + used.system) / 1e6;
  const dockerd = processCpu(dockerdPid) - before.dockerd;
  const database = containerCpu(databaseId) - before.database;
  const machine = machineCpu() - before.machine;
  return {
    wallS: round1(wallS),
    cpuS: {
      panel: round1(panel),
      dockerd: round1(dockerd),
      database: round1(database),
      rest: round1(Math.max(0, machine - panel - dockerd - (Number.isNaN(database) ? 0 : database))),
    },
    rssGrowthMiB: Math.round((peak - baseline) / 2 ** 20),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const summary = (xs: number[]) => ({
  median: round1(median(xs)),
  min: round1(Math.min(...xs)),
  max: round1(Math.max(...xs)),
});

function docker(args: string[], input?: { from: string[] }): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DOCKER_HOST: `unix://${TEST_SOCKET}` };
    const target = spawn("docker", args, { env, stdio: [input ? "pipe" : "ignore", "ignore", "inherit"] });
    if (input) {
      const source = spawn("docker", input.from, { env, stdio: ["ignore", "pipe", "inherit"] });
      source.stdout.pipe(target.stdin!);
      source.on("exit", (code) =>
        code === 0 ? undefined : reject(new Error(`docker ${input.from[0]} exited ${code}`)),
      );
    }
    target.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker ${args[0]} exited ${code}`))));
  });
}

async function main() {
  const engine = await testEngine();
  const dockerdPid = Number(readFileSync(path.join(process.env.PL_TEST_DIR ?? "/tmp/pl-test", "docker.pid"), "utf8"));
  const run = uniqueName("bench-restic");
  const work = mkdtempSync(path.join(os.tmpdir(), "bench-restic-"));
  const server = await acquireTestServer();
  const url = await createTestDatabase(server, "bench_restic");
  const db = createPrismaClient(url);
  const uploadsVolume = `${run}-uploads`;
  try {
    await migrate(url, path.join(ROOT, "prisma", "migrations"), () => {});
    const mysql = await startDatabase(engine, run);
    const schema = await freshSchema(engine, mysql);
    const web = await startWeb(engine, run, mysql, {
      image: "elabftw/elabimg:5.1.0",
      database: schema,
      secretKey: "def00000" + "f".repeat(120),
      uploadsVolume,
    });
    await init(engine, web, "db:install");
    const databaseId = (await engine.api.getContainer(mysql.container).inspect()).Id;

    say(`Filling the database with ~${DB_MIB} MiB of HTML rows and the uploads with ~${UPLOADS_MIB} MiB…`);
    // ~8 KiB HTML bodies (protocols with tables and lists), doubled until the size is reached.
    const rows = Math.max(1, Math.round((DB_MIB * 1024) / 8));
    await rootSql(
      engine,
      mysql,
      `INSERT INTO experiments (title, body, date, userid) VALUES ('Protocole', CONCAT('<h1>Protocole</h1>', REPEAT(CONCAT('<p>Incubation à 37&nbsp;°C pendant <strong>', FLOOR(RAND()*90), ' min</strong>, tampon ', MD5(RAND()), '</p><table><tr><td>échantillon</td><td>', RAND(), '</td></tr></table>'), 40)), CURDATE(), 1);`,
      schema,
    );
    for (let n = 1; n < rows; n *= 2) {
      await rootSql(
        engine,
        mysql,
        `INSERT INTO experiments (title, body, date, userid) SELECT CONCAT('Exp ', MD5(RAND())), CONCAT('<p>', MD5(RAND()), '</p>', body), date, userid FROM experiments LIMIT ${Math.min(n, rows - n)};`,
        schema,
      );
    }
    // A fifth in many small files (4-64 KiB of text), two fifths large incompressible, two fifths large compressible.
    const small = Math.round((UPLOADS_MIB * 1024) / 5 / 34);
    const large = Math.max(1, Math.round((UPLOADS_MIB * 2) / 5 / 32));
    await execCapture(engine, web, {
      cmd: [
        "sh",
        "-c",
        [
          `i=0; while [ $i -lt ${small} ]; do d=/elabftw/uploads/$((i % 64)); mkdir -p $d; head -c $(( (i % 61 + 4) * 1024 )) /dev/urandom | base64 > $d/note$i.txt; i=$((i+1)); done`,
          `i=0; while [ $i -lt ${large} ]; do dd if=/dev/urandom of=/elabftw/uploads/scan$i.png bs=1M count=32 status=none; i=$((i+1)); done`,
          `i=0; while [ $i -lt ${large} ]; do yes "<tr><td>mesure $i</td><td>0.$i</td></tr>" | head -c 33554432 > /elabftw/uploads/export$i.csv; i=$((i+1)); done`,
          "chown -R 101:101 /elabftw/uploads",
        ].join("; "),
      ],
    });

    const ring = parseKeyRing(generateKeySpec());
    const context = { ip: "127.0.0.1", userAgent: "bench" };
    const { actor, hostId, instanceId } = await adoptOnTestEngine(db, ring, context, {
      email: "bench@unit.example",
      role: "admin",
      unit: { code: "BENCH", name: "Bench" },
      name: "bench",
      web,
      mysql,
      schema,
      uploads: uploadsVolume,
    });

    async function paillasseBackup(repositoryId: string, trigger: "manual" | "pre_upgrade" = "manual") {
      const plan = { instanceId, trigger, repositoryId };
      const operationId = await createOperation(db, {
        operation: backupOperation,
        instanceId,
        params: plan,
        steps: [],
      });
      const results: Record<string, unknown> = {};
      const ctx = memoryStepContext<BackupResults>(operationId, results, {
        log: async () => {},
        progress: async () => {},
      });
      for (const step of backupSteps(db, ring, operationId, plan)) results[step.key] = (await step.run(ctx)) ?? null;
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
      sizes: { databaseMiB: DB_MIB, uploadsMiB: UPLOADS_MIB, smallFiles: small, largeFiles: large * 2 },
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
