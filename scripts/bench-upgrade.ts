/**
 * Upgrade benchmark (part of `npm run bench`): the downtime of Paillasse's
 * upgrade 5.0.4 → 5.1.0 against the bare minimum measured in the same run
 * on an identical instance: stop the container, start 5.1.0 in its place
 * (image already there), wait for health, run db:update. Three rounds
 * (BENCH_UPGRADE_ROUNDS) of a fresh pair each, the order alternating from
 * round to round; medians and spread, and the CPU-seconds of the panel
 * process and of dockerd for each upgrade.
 *
 * Downtime is what users see: a probe container on the instance's network
 * asks for a real page (`/login.php`) every 100 ms; it runs from the first
 * answer that is not a real page to the first real page (not "Almost
 * there!"). The panel's own figure (the same definition: from the stop to
 * healthy with the schema in sync) is written beside it, and so is the time
 * of the dump taken at the stop (what "no write lost on rollback" costs).
 * For Paillasse the 5.1.0 tag is removed first where no container holds it,
 * so its pull asks the registry again (its layers may stay: the figure is
 * about where the pull falls, before the stop, not its length). Target:
 * Paillasse ≤ bare + 2 s, 0 s of pull inside the downtime. With
 * BENCH_UPGRADE_TIMELINE=1, each upgrade's journal from the stop on is
 * printed with its time (where the seconds go). Written to
 * bench-results/upgrade.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import {
  createContainer,
  execCapture,
  planRecreate,
  pullImage,
  removeContainer,
  removeImage,
  renameContainer,
  startContainer,
  stopContainer,
} from "../lib/docker";
import { createPrismaClient } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { dbUpdateSucceeded } from "../lib/server/instances/elabftw-console";
import { executeOperation } from "../lib/server/operations/execute";
import { ROOT } from "../e2e/support/panel-process";
import { downtimeFrom, startProbe } from "../test/support/downtime-probe";
import { waitHealthy } from "../test/support/elabftw";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";
import { upgradeFixture } from "../test/support/upgrade-fixture";

const say = (line: string) => console.log(`[bench:upgrade] ${line}`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const round1 = (x: number) => Math.round(x * 10) / 10;
type Fixture = Awaited<ReturnType<typeof upgradeFixture>>;
const engine = (f: Fixture) => f.engine;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The test engine's dockerd (its pidfile), for its CPU-seconds next to each upgrade's. */
function dockerdPid(): number | null {
  try {
    return Number(readFileSync(path.join(process.env.PL_TEST_DIR ?? "/tmp/pl-test", "docker.pid"), "utf8").trim());
  } catch {
    return null;
  }
}

/** User + system CPU-seconds of a process so far (Linux /proc), or null. */
function cpuOf(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function main() {
  const server = await acquireTestServer();
  const url = await createTestDatabase(server, "bench_upgrade");
  const db = createPrismaClient(url);
  const ring = parseKeyRing(generateKeySpec());
  const fixtures: Awaited<ReturnType<typeof upgradeFixture>>[] = [];
  try {
    await migrate(url, path.join(ROOT, "prisma", "migrations"), () => {});
    const rounds = Number(process.env.BENCH_UPGRADE_ROUNDS ?? 3);
    const dockerd = dockerdPid();
    const bareRuns: { downMs: number; dockerdCpuS: number | null }[] = [];
    const panelRuns: {
      downMs: number;
      panelFigureMs: number;
      finalDumpMs: number;
      pullS: number;
      pullInsideS: number;
      panelCpuS: number;
      dockerdCpuS: number | null;
      timeline: string[];
    }[] = [];
    for (let round = 0; round < rounds; round++) {
      say(`Round ${round + 1}/${rounds}: two identical 5.0.4 instances…`);
      const bare = await upgradeFixture(db, ring, `bench-bare-${round}`, { unitCode: `BENCHB${round}` });
      fixtures.push(bare);
      const panel = await upgradeFixture(db, ring, `bench-panel-${round}`, { unitCode: `BENCHP${round}` });
      fixtures.push(panel);
      // Interleaved: the order alternates from one round to the next, so a drift of the machine's load
      // does not always fall on the same side.
      const order = round % 2 === 0 ? ["bare", "panel"] : ["panel", "bare"];
      for (const side of order) {
        if (side === "bare") bareRuns.push(await bareUpgrade(bare, dockerd));
        else panelRuns.push(await panelUpgrade(panel, dockerd));
      }
      if (process.env.BENCH_UPGRADE_TIMELINE === "1") for (const line of panelRuns.at(-1)!.timeline) say(line);
      say(
        `round ${round + 1}: bare ${seconds(bareRuns.at(-1)!.downMs)} s, Paillasse ${seconds(panelRuns.at(-1)!.downMs)} s down`,
      );
    }
    const overheads = panelRuns.map((p, i) => p.downMs - bareRuns[i]!.downMs);
    const stats = (values: number[]) => ({
      median: seconds(median(values)),
      min: seconds(Math.min(...values)),
      max: seconds(Math.max(...values)),
    });
    const figures = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg() },
      rounds,
      seconds: {
        bareDowntime: stats(bareRuns.map((r) => r.downMs)),
        paillasseDowntime: stats(panelRuns.map((r) => r.downMs)),
        overhead: stats(overheads),
        finalDumpInsideDowntime: stats(panelRuns.map((r) => r.finalDumpMs)),
        overheadBeyondFinalDump: stats(overheads.map((o, i) => o - panelRuns[i]!.finalDumpMs)),
        pull: stats(panelRuns.map((r) => r.pullS * 1000)),
        pullInsideDowntime: stats(panelRuns.map((r) => r.pullInsideS * 1000)),
        panelReportedMinusProbe: stats(panelRuns.map((r) => r.panelFigureMs - r.downMs)),
      },
      cpuSeconds: {
        panelProcessPerUpgrade: panelRuns.map((r) => r.panelCpuS),
        dockerdPerPanelUpgrade: panelRuns.map((r) => r.dockerdCpuS),
        dockerdPerBareUpgrade: bareRuns.map((r) => r.dockerdCpuS),
      },
      raw: { bare: bareRuns, paillasse: panelRuns },
      targets: { overheadSeconds: 2, pullInsideDowntimeSeconds: 0 },
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "upgrade.json"), `${JSON.stringify(figures, null, 2)}\n`);
    const o = figures.seconds.overhead;
    say(
      `downtime over ${rounds} interleaved pairs: bare ${figures.seconds.bareDowntime.median} s, Paillasse ${figures.seconds.paillasseDowntime.median} s; ` +
        `overhead median ${o.median} s (${o.min}–${o.max}; target ≤ 2 s), of which the dump at the stop ${figures.seconds.finalDumpInsideDowntime.median} s; ` +
        `pull inside the downtime ${figures.seconds.pullInsideDowntime.max} s at most (target 0).`,
    );
    say("Written to bench-results/upgrade.json.");

    async function bareUpgrade(bare: Fixture, dockerdPidNow: number | null) {
      // The image there before the stop (the bare minimum pulls outside the downtime too).
      await pullImage(engine(bare), "elabftw/elabimg:5.1.0");
      const probe = await startProbe(engine(bare), bare.run, bare.mysql.network, "elabftw-web");
      await new Promise((r) => setTimeout(r, 1_000));
      const e = engine(bare);
      const cpu0 = cpuOf(dockerdPidNow);
      const plan = await planRecreate(e, bare.web, "elabftw/elabimg:5.1.0");
      await stopContainer(e, bare.web, 30);
      await renameContainer(e, bare.web, `${bare.web}-old`);
      const id = await createContainer(e, plan.body);
      await startContainer(e, id);
      await waitHealthy(e, bare.mysql.container, 60_000);
      for (;;) {
        const h = await execCapture(e, id, {
          cmd: ["curl", "-sk", "-m", "2", "https://127.0.0.1:443/healthcheck.php"],
        });
        if (h.stdout.trim() === "ok") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const update = await execCapture(e, id, { cmd: ["bin/console", "db:update"] });
      if (!dbUpdateSucceeded(update.exitCode ?? -1, update.stdout)) throw new Error("bare db:update failed");
      const migrated = Date.now();
      const cpu1 = cpuOf(dockerdPidNow);
      await new Promise((r) => setTimeout(r, 1_000));
      const down = await downtimeFrom(e, probe, { readyAfter: migrated });
      await removeContainer(e, `${bare.web}-old`, { force: true });
      return { downMs: down.ms, dockerdCpuS: cpu0 !== null && cpu1 !== null ? round1(cpu1 - cpu0) : null };
    }

    async function panelUpgrade(panel: Fixture, dockerdPidNow: number | null) {
      const e = engine(panel);
      // The 5.1.0 image removed first, so the pull happens for real (before the stop).
      await removeImage(e, "elabftw/elabimg:5.1.0").catch(() => undefined);
      const probe = await startProbe(e, panel.run, panel.mysql.network, "elabftw-web");
      await new Promise((r) => setTimeout(r, 1_000));
      const operationId = await panel.queue("5.1.0");
      const own0 = process.cpuUsage();
      const cpu0 = cpuOf(dockerdPidNow);
      const outcome = await executeOperation(db, ring, operationId, panel.options);
      const own = process.cpuUsage(own0);
      const cpu1 = cpuOf(dockerdPidNow);
      if (outcome !== "succeeded") throw new Error(`the upgrade ended ${outcome}`);
      const steps = Object.fromEntries(
        (await db.operationStep.findMany({ where: { operationId } })).map((st) => [st.key, st]),
      );
      const migrated = steps.migrate!.finishedAt!.getTime();
      await new Promise((r) => setTimeout(r, 1_000));
      const down = await downtimeFrom(e, probe, { readyAfter: migrated });
      const finalDumpMs =
        (steps.recreate!.intent as { finalDump?: { ms: number } } | null)?.finalDump?.ms ?? Number.NaN;
      const panelFigureMs = (
        (await db.operation.findUniqueOrThrow({ where: { id: operationId } })).result as {
          commit: { downtimeMs: number };
        }
      ).commit.downtimeMs;
      // Where the seconds of the downtime go: every journal line from the stop on, in ms after the first
      // failed probe, with the probe's end beside them.
      const lines = await db.operationLog.findMany({ where: { operationId }, orderBy: { id: "asc" } });
      const timeline = lines
        .filter((l) => l.at.getTime() >= down.from - 500)
        .map((l) => `${String(l.at.getTime() - down.from).padStart(6)} ms  ${l.message.slice(0, 100)}`);
      timeline.push(`${String(down.to - down.from).padStart(6)} ms  (probe: first real page)`);
      const pull = { from: steps.pull!.startedAt!.getTime(), to: steps.pull!.finishedAt!.getTime() };
      const pullInside = Math.max(0, Math.min(pull.to, down.to) - Math.max(pull.from, down.from));
      return {
        downMs: down.ms,
        panelFigureMs,
        finalDumpMs,
        pullS: seconds(pull.to - pull.from),
        pullInsideS: seconds(pullInside),
        panelCpuS: round1((own.user + own.system) / 1e6),
        dockerdCpuS: cpu0 !== null && cpu1 !== null ? round1(cpu1 - cpu0) : null,
        timeline,
      };
    }
  } finally {
    for (const f of fixtures) await f.cleanUp().catch(() => undefined);
    await db.$disconnect();
    await dropTestDatabase(server, url).catch(() => undefined);
    await server.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
