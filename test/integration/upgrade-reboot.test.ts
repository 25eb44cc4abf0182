import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { listContainers, updateRestartPolicy, type DockerClient } from "../../lib/docker";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { TEST_LABEL } from "../support/docker";
import { useFreshDatabase } from "../support/fresh-database";
import { startRegistryRelay, startSecondEngine } from "../support/second-engine";
import { upgradeFixture } from "../support/upgrade-fixture";

const ring = parseKeyRing(generateKeySpec());

/**
 * On an engine of its own, behind a registry relay that can fail. A pull cut
 * in the middle changes nothing. Then the seed incident: after an upgrade, the host reboots and the old
 * container comes back next to (or instead of) the new one. On an engine of
 * its own that the test restarts: after the upgrade (the old container kept
 * on purpose) exactly one container serves the instance; a control with the
 * kept container set to restart `always` shows that the test would see two.
 */
describe("upgrade and a host reboot", () => {
  const database = useFreshDatabase("upgrade_reboot", { migrated: true });
  let db: Db;
  let engine: Awaited<ReturnType<typeof startSecondEngine>>;
  let f: Awaited<ReturnType<typeof upgradeFixture>>;
  let relay: Awaited<ReturnType<typeof startRegistryRelay>>;

  /** Web containers of the instance that are running (the database has its own image). */
  const serving = async (client: DockerClient) =>
    (await listContainers(client, { all: true, labels: [`${TEST_LABEL}=${f.run}`] }))
      .filter((c) => c.image.startsWith("elabftw/elabimg") && c.state === "running")
      .map((c) => `${c.name} ${c.image}`)
      .sort();

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    relay = await startRegistryRelay();
    engine = await startSecondEngine("reboot", { mirror: relay.url });
    f = await upgradeFixture(db, ring, "reboot", { engine: engine.client, socketPath: engine.socket });
  }, 300_000);

  afterAll(async () => {
    await engine?.destroy();
    await relay?.close();
    await db?.$disconnect();
  });

  it("a pull cut in the middle changes nothing: rolled back before any stop, 5.0.4 still serving", async () => {
    const before = await f.state();
    relay.breakBlobs();
    try {
      const operationId = await f.queue("5.1.0");
      const outcome = await executeOperation(db, ring, operationId, f.options);
      const operation = await db.operation.findUniqueOrThrow({
        where: { id: operationId },
        include: { steps: { orderBy: { position: "asc" } } },
      });
      expect(operation.error).toMatch(/^Pull the new image: .*elabftw\/elabimg:5\.1\.0/);
      expect(outcome).toBe("rolled_back");
      expect(relay.cuts()).toBeGreaterThan(0);
      expect(operation.steps.find((s) => s.key === "recreate")?.state).toBe("skipped");
    } finally {
      relay.repair();
    }
    expect(await f.state()).toEqual(before);
  }, 300_000);

  it("after the upgrade and a daemon restart exactly one container serves the instance; `restart: always` on the kept one would show two", async () => {
    const operationId = await f.queue("5.1.0");
    const outcome = await executeOperation(db, ring, operationId, {
      ...f.options,
      upgrade: { ...f.options.upgrade, keepOldContainer: true },
    });
    expect(outcome).toBe("succeeded");
    const kept = `${f.web}-paillasse-rollback-5.0.4`;
    const all = await listContainers(engine.client, { all: true, labels: [`${TEST_LABEL}=${f.run}`] });
    expect(all.find((c) => c.name === kept)?.state).toBe("exited");

    let client = await engine.restart();
    // The instance's own restart policy brings the new container back; give it the time to.
    await expect.poll(() => serving(client), { timeout: 60_000 }).toEqual([`${f.web} elabftw/elabimg:5.1.0`]);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await serving(client)).toEqual([`${f.web} elabftw/elabimg:5.1.0`]);

    // Control: the kept container as an unguarded swap would leave it.
    await updateRestartPolicy(client, kept, "always");
    client = await engine.restart();
    await expect
      .poll(() => serving(client), { timeout: 60_000 })
      .toEqual([`${f.web} elabftw/elabimg:5.1.0`, `${kept} elabftw/elabimg:5.0.4`].sort());
  }, 600_000);
});
