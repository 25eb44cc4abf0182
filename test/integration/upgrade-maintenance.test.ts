import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { execCapture, inspectContainer, listContainers, listVolumes, removeVolume } from "../../lib/docker";
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
    // 5.6.12 (maintenance mode, no image-version label) with enough HTML rows for the dump to take a moment.
    f = await upgradeFixture(db, ring, "maint", { from: "5.6.12", experiments: 3000, healthTimeoutMs: 20_000 });
  }, 180_000);

  afterAll(async () => {
    const uploads = f && (await inspectContainer(f.engine, f.web)).mounts.find((m) => m.type === "volume");
    await f?.cleanUp();
    for (const v of uploads ? await listVolumes(f.engine) : []) {
      if (v.name === `${uploads!.source}-exports` || v.name === `${uploads!.source}-cache`)
        await removeVolume(f.engine, v.name).catch(() => undefined);
    }
    await db?.$disconnect();
  });

  it("answers the maintenance page and refuses writes from the stop until 6.0 starts, then goes", async () => {
    const name = maintenanceName(f.web);
    const seen: string[] = [];
    let done = false;
    const watcher = (async () => {
      while (!done) {
        const running = (await listContainers(f.engine, { all: true })).find(
          (c) => c.name === name && c.state === "running",
        );
        if (running) {
          const asked = await execCapture(f.engine, name, {
            cmd: [
              "sh",
              "-c",
              'curl -sk -o /tmp/page -w "GET %{http_code}\\n" https://127.0.0.1/experiments.php && grep -o "Maintenance in progress" /tmp/page; curl -sk -X POST -o /dev/null -w "POST %{http_code}\\n" https://127.0.0.1/app/controllers/Ajax.php',
            ],
          }).catch(() => null);
          if (asked?.exitCode === 0) seen.push(asked.stdout.trim().replace(/\n/g, " | "));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const operationId = await f.queue("6.0.0", "101:101");
    const outcome = await executeOperation(db, ring, operationId, f.options);
    done = true;
    await watcher;
    const logs = (await db.operationLog.findMany({ where: { operationId }, orderBy: { id: "asc" } })).map(
      (l) => l.message,
    );
    expect(outcome).toBe("succeeded");
    expect(logs).toContain("Serving eLabFTW's maintenance page (MAINTENANCE_MODE, writes refused) meanwhile.");
    expect(logs).toContain("Stopped the maintenance page.");
    // The page was read while the old container was stopped, and a write refused.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toContain("GET 200 | Maintenance in progress | POST 405");
    // Gone once 6.0 runs: no container left but the instance's own.
    expect(
      (await listContainers(f.engine, { all: true })).map((c) => c.name).filter((n) => n.startsWith(f.web)),
    ).toEqual([f.web]);
    expect((await inspectContainer(f.engine, f.web)).image).toBe("elabftw/elabimg:6.0.0");
  }, 240_000);
});
