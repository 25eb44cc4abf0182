/**
 * Upgrade benchmark (part of `npm run bench`): the downtime of Paillasse's
 * upgrade 5.0.4 → 5.1.0 against the bare minimum measured in the same run
 * on an identical instance: stop the container, start 5.1.0 in its place
 * (image already there), wait for health, run db:update.
 *
 * Downtime is what users see: a probe container on the instance's network
 * asks `https://elabftw-web/healthcheck.php` every 100 ms; it runs from the
 * first failed answer to the first `ok` after the migration has finished.
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
  containerLogs,
  planRecreate,
  removeContainer,
  removeImage,
  renameContainer,
  startContainer,
  stopContainer,
  type DockerClient,
} from "../lib/docker";
import { createPrismaClient } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { dbUpdateSucceeded } from "../lib/server/instances/elabftw-console";
import { executeOperation } from "../lib/server/operations/execute";
import { ROOT } from "../e2e/support/panel-process";
import { waitHealthy } from "../test/support/elabftw";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";
import { upgradeFixture } from "../test/support/upgrade-fixture";

const say = (line: string) => console.log(`[bench:upgrade] ${line}`);
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** A container on the instance's network that asks for the health page every 100 ms and prints "<ms> <status>". */
async function startProbe(engine: DockerClient, run: string, network: string): Promise<string> {
  const name = `${run}-probe`;
  await createContainer(engine, {
    name,
    image: "elabftw/elabimg:5.0.4",
    entrypoint: ["sh", "-c"],
    cmd: [
      'while true; do printf "%s %s\\n" "$(date +%s%3N)" "$(curl -sk -m 1 -o /dev/null -w %{http_code} https://elabftw-web/healthcheck.php)"; sleep 0.1; done',
    ],
    labels: { "net.paillasse.test": run },
    network: { name: network },
  });
  await startContainer(engine, name);
  return name;
}

/** Downtime from the probe: first failure → first ok at or after `readyAt` (ms since epoch). */
async function downtimeFrom(engine: DockerClient, probe: string, readyAfter: number) {
  const samples: { t: number; ok: boolean }[] = [];
  for await (const line of containerLogs(engine, probe, { tail: 100_000 })) {
    const [t, status] = line.text.trim().split(/\s+/);
    if (t && status) samples.push({ t: Number(t), ok: status === "200" });
  }
  const firstFail = samples.find((s) => !s.ok);
  if (!firstFail) throw new Error("the probe never saw the instance down");
  const back = samples.find((s) => s.ok && s.t >= Math.max(firstFail.t, readyAfter));
  if (!back) throw new Error("the probe never saw the instance back");
  return { from: firstFail.t, to: back.t, ms: back.t - firstFail.t, samples: samples.length };
}

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
    const bareProbe = await startProbe(engine, bare.run, bare.mysql.network);
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
    const bareDown = await downtimeFrom(engine, bareProbe, bareMigrated);
    await removeContainer(engine, `${bare.web}-old`, { force: true });
    say(`bare: ${seconds(bareDown.ms)} s down (script ${seconds(bareMigrated - bareStart)} s)`);

    say("Paillasse: the 5.1.0 image removed first, so the pull happens for real…");
    await removeImage(engine, "elabftw/elabimg:5.1.0").catch(() => undefined);
    const panelProbe = await startProbe(engine, panel.run, panel.mysql.network);
    await new Promise((r) => setTimeout(r, 1_000));
    const operationId = await panel.queue("5.1.0");
    const outcome = await executeOperation(db, ring, operationId, panel.options);
    if (outcome !== "succeeded") throw new Error(`the upgrade ended ${outcome}`);
    const steps = Object.fromEntries(
      (await db.operationStep.findMany({ where: { operationId } })).map((s) => [s.key, s]),
    );
    const migrated = steps.migrate!.finishedAt!.getTime();
    await new Promise((r) => setTimeout(r, 1_000));
    const panelDown = await downtimeFrom(engine, panelProbe, migrated);
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
      },
      probeSamples: { bare: bareDown.samples, paillasse: panelDown.samples },
      targets: { overheadSeconds: 5, pullInsideDowntimeSeconds: 0 },
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "upgrade.json"), `${JSON.stringify(figures, null, 2)}\n`);
    say(
      `downtime: bare ${figures.seconds.bareDowntime} s, Paillasse ${figures.seconds.paillasseDowntime} s ` +
        `(+${figures.seconds.overhead} s; target ≤ +5 s); pull ${figures.seconds.pull} s, of which ${figures.seconds.pullInsideDowntime} s inside the downtime (target 0).`,
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
