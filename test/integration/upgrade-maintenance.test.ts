import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { Writable } from "node:stream";
import { execStream, inspectContainer, listContainers } from "../../lib/docker";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { maintenanceName } from "../../lib/server/upgrades/steps/recreate";
import { useFreshDatabase } from "../support/fresh-database";
import { upgradeFixture } from "../support/upgrade-fixture";

const ring = parseKeyRing(generateKeySpec());

/**
 * From 5.5.3 eLabFTW has a maintenance mode (MAINTENANCE_MODE=true: every GET answers the maintenance
 * page, every write 405). An upgrade from such a release serves it from the stop until the new
 * container starts: researchers who open eLabFTW during the final dump (and the chown of a move to
 * 6.0) read that it is under maintenance, and nothing they send reaches the database being dumped.
 * A watcher asks the maintenance container itself, as often as it can, what it answers.
 */
describe("the maintenance page during an upgrade's final dump", () => {
  const database = useFreshDatabase("upgrade_maintenance", { migrated: true });
  let db: Db;
  let f: Awaited<ReturnType<typeof upgradeFixture>>;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    // 5.6.12: maintenance mode, no image-version label.
    f = await upgradeFixture(db, ring, "maint", { from: "5.6.12", experiments: 300, healthTimeoutMs: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  it("answers the maintenance page and refuses writes from the stop until 6.0 starts, then goes", async () => {
    const name = maintenanceName(f.web);
    // As soon as it runs, one exec inside it asks in a loop (GET a page, POST a write) until the container goes.
    let output = "";
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const running = (await listContainers(f.engine, { all: true })).some(
          (c) => c.name === name && c.state === "running",
        );
        if (running) {
          const sink = new Writable({
            write(chunk: Buffer, _e, next) {
              output += chunk.toString("utf8");
              next();
            },
          });
          await execStream(
            f.engine,
            name,
            {
              cmd: [
                "sh",
                "-c",
                'while true; do g=$(curl -sk -o /tmp/page -w "%{http_code}" https://127.0.0.1/experiments.php); m=$(grep -c "Maintenance in progress" /tmp/page); p=$(curl -sk -X POST -o /dev/null -w "%{http_code}" https://127.0.0.1/app/controllers/Ajax.php); echo "GET $g page $m | POST $p"; done',
              ],
            },
            { stdout: sink, stderr: new Writable({ write: (_c, _e, next) => next() }) },
          ).catch(() => undefined);
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // The database freezes right after the stop (a server under load, a long lock): the final dump waits, and the
    // maintenance page is what users get meanwhile. It thaws once the page has answered a few times (8 s at most).
    const mysqlName = f.mysql.container;
    const frozen = (async () => {
      while (!done) {
        const web = await inspectContainer(f.engine, f.web).catch(() => null);
        if (web && !web.state.running) {
          // (Not `docker pause`: the dump is an exec, which a paused container refuses. The server process itself stops.)
          const pid = (await f.engine.api.getContainer(mysqlName).inspect()).State.Pid;
          process.kill(pid, "SIGSTOP");
          const until = Date.now() + 8_000;
          while (Date.now() < until && output.split("\n").filter((l) => l.includes("POST")).length < 3) {
            await new Promise((r) => setTimeout(r, 50));
          }
          process.kill(pid, "SIGCONT");
          return true;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return false;
    })();
    const operationId = await f.queue("6.0.0", "101:101");
    const outcome = await executeOperation(db, ring, operationId, f.options);
    done = true;
    await watcher;
    expect(await frozen).toBe(true);
    const logs = (await db.operationLog.findMany({ where: { operationId }, orderBy: { id: "asc" } })).map(
      (l) => l.message,
    );
    expect(outcome).toBe("succeeded");
    expect(logs).toContain("Serving eLabFTW's maintenance page (MAINTENANCE_MODE, writes refused) meanwhile.");
    expect(logs).toContain("Stopped the maintenance page.");
    // The page was read while the old container was stopped, and every write refused.
    // (Before its server listens, curl answers 000: not an answer.)
    const seen = [
      ...new Set(output.split("\n").filter((l) => /^GET \d{3} page \d* \| POST \d{3}$/.test(l) && !l.includes("000"))),
    ];
    expect(seen).toEqual(["GET 200 page 1 | POST 405"]);
    expect(output.split("\n").filter((l) => l.includes("POST 405")).length).toBeGreaterThanOrEqual(3);
    // Gone once 6.0 runs: no container left but the instance's own.
    expect(
      (await listContainers(f.engine, { all: true })).map((c) => c.name).filter((n) => n.startsWith(f.web)),
    ).toEqual([f.web]);
    expect((await inspectContainer(f.engine, f.web)).image).toBe("elabftw/elabimg:6.0.0");
  }, 240_000);
});
