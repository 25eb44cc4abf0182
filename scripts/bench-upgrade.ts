/**
 * Upgrade benchmark (part of `npm run bench`): the downtime of Paillasse's
 * upgrade 5.0.4 → 5.1.0 against the bare minimum measured in the same run
 * on an identical instance: stop the container, start 5.1.0 in its place
 * (image already there), wait for health, run db:update.
 *
 * Downtime is what users see: a probe container on the instance's network
 * asks for a real page (`/login.php`) every 100 ms; it runs from the first
 * answer that is not a real page to the first real page (not "Almost
 * there!"). The panel's own figure (the same definition: from the stop to
 * healthy with the schema in sync) is written beside it, and so is the time
 * of the dump taken at the stop (what "no write lost on rollback" costs).
 * For Paillasse the 5.1.0 image is removed first, so its pull really happens
 * (before the stop: none of it may fall inside the downtime). Target:
 * Paillasse ≤ bare + 5 s, 0 s of pull inside the downtime. Written to
 * bench-results/upgrade.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import {
  createContainer,
  execCapture,
  planRecreate,
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

async function main() {
  const server = await acquireTestServer();
  const url = await createTestDatabase(server, "bench_upgrade");
  const db = createPrismaClient(url);
  const ring = parseKeyRing(generateKeySpec());
  const fixtures: Awaited<ReturnType<typeof upgradeFixture>>[] = [];
  try {
    await migrate(url, path.join(ROOT, "prisma", "migrations"), () => {});
    say("Two identical 5.0.4 instances…");
    const bare = await upgradeFixture(db, ring, "bench-bare", { unitCode: "BENCH1" });
    fixtures.push(bare);
    const panel = await upgradeFixture(db, ring, "bench-panel", { unitCode: "BENCH2" });
    fixtures.push(panel);
    const engine = bare.engine;

    say("Bare: stop, start 5.1.0 in its place, wait for health, db:update…");
    const bareProbe = await startProbe(engine, bare.run, bare.mysql.network, "elabftw-web");
    await new Promise((r) => setTimeout(r, 1_000));
    const plan = await planRecreate(engine, bare.web, "elabftw/elabimg:5.1.0");
    const bareStart = Date.now();
    await stopContainer(engine, bare.web, 30);
    await renameContainer(engine, bare.web, `${bare.web}-old`);
    const id = await createContainer(engine, plan.body);
    await startContainer(engine, id);
    await waitHealthy(engine, bare.mysql.container, 60_000);
    for (;;) {
      const h = await execCapture(engine, id, {
        cmd: ["curl", "-sk", "-m", "2", "https://127.0.0.1:443/healthcheck.php"],
      });
      if (h.stdout.trim() === "ok") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const update = await execCapture(engine, id, { cmd: ["bin/console", "db:update"] });
    if (!dbUpdateSucceeded(update.exitCode ?? -1, update.stdout)) throw new Error("bare db:update failed");
    const bareMigrated = Date.now();
    await new Promise((r) => setTimeout(r, 1_000));
    const bareDown = await downtimeFrom(engine, bareProbe, { readyAfter: bareMigrated });
    await removeContainer(engine, `${bare.web}-old`, { force: true });
    say(`bare: ${seconds(bareDown.ms)} s down (script ${seconds(bareMigrated - bareStart)} s)`);

    say("Paillasse: the 5.1.0 image removed first, so the pull happens for real…");
    await removeImage(engine, "elabftw/elabimg:5.1.0").catch(() => undefined);
    const panelProbe = await startProbe(engine, panel.run, panel.mysql.network, "elabftw-web");
    await new Promise((r) => setTimeout(r, 1_000));
    const operationId = await panel.queue("5.1.0");
    const outcome = await executeOperation(db, ring, operationId, panel.options);
    if (outcome !== "succeeded") throw new Error(`the upgrade ended ${outcome}`);
    const steps = Object.fromEntries(
      (await db.operationStep.findMany({ where: { operationId } })).map((s) => [s.key, s]),
    );
    const migrated = steps.migrate!.finishedAt!.getTime();
    await new Promise((r) => setTimeout(r, 1_000));
    const panelDown = await downtimeFrom(engine, panelProbe, { readyAfter: migrated });
    const finalDumpMs = (steps.recreate!.intent as { finalDump?: { ms: number } } | null)?.finalDump?.ms ?? Number.NaN;
    const panelFigureMs = (
      (await db.operation.findUniqueOrThrow({ where: { id: operationId } })).result as {
        commit: { downtimeMs: number };
      }
    ).commit.downtimeMs;
    const pull = { from: steps.pull!.startedAt!.getTime(), to: steps.pull!.finishedAt!.getTime() };
    const pullInside = Math.max(0, Math.min(pull.to, panelDown.to) - Math.max(pull.from, panelDown.from));
    const figures = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
      seconds: {
        bareDowntime: seconds(bareDown.ms),
        paillasseDowntime: seconds(panelDown.ms),
        overhead: seconds(panelDown.ms - bareDown.ms),
        pull: seconds(pull.to - pull.from),
        pullInsideDowntime: seconds(pullInside),
        finalDumpInsideDowntime: seconds(finalDumpMs),
        panelReportedDowntime: seconds(panelFigureMs),
        panelReportedMinusProbe: seconds(panelFigureMs - panelDown.ms),
      },
      probeSamples: { bare: bareDown.samples, paillasse: panelDown.samples },
      targets: { overheadSeconds: 5, pullInsideDowntimeSeconds: 0 },
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "upgrade.json"), `${JSON.stringify(figures, null, 2)}\n`);
    say(
      `downtime: bare ${figures.seconds.bareDowntime} s, Paillasse ${figures.seconds.paillasseDowntime} s ` +
        `(+${figures.seconds.overhead} s; target ≤ +5 s); pull ${figures.seconds.pull} s, of which ${figures.seconds.pullInsideDowntime} s inside the downtime (target 0); ` +
        `the dump at the stop took ${figures.seconds.finalDumpInsideDowntime} s; the panel reported ${figures.seconds.panelReportedDowntime} s.`,
    );
    say("Written to bench-results/upgrade.json.");
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
