import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { useFreshDatabase } from "../support/fresh-database";
import { upgradeFixture } from "../support/upgrade-fixture";

const ring = parseKeyRing(generateKeySpec());

/**
 * An instance whose compose file sets AUTO_DB_UPDATE=true, as many labs' do: the new container migrates
 * the schema by itself as it starts, before the panel's db:update. The dump taken at the stop must then
 * be complete before it starts, and a rollback from any later point (a new version that never becomes
 * healthy, with no migrate step to undo) must put the database back, or the old version would start on a
 * schema ahead of it.
 */
describe("upgrades of an instance that migrates as it starts (AUTO_DB_UPDATE=true)", () => {
  const database = useFreshDatabase("upgrade_auto", { migrated: true });
  let db: Db;
  let f: Awaited<ReturnType<typeof upgradeFixture>>;

  async function upgrade(toTag: string) {
    const operationId = await f.queue(toTag);
    const outcome = await executeOperation(db, ring, operationId, f.options);
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
    const logs = (await db.operationLog.findMany({ where: { operationId }, orderBy: { id: "asc" } })).map(
      (l) => l.message,
    );
    return { outcome, operation, logs };
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    f = await upgradeFixture(db, ring, "upgrade-auto", {
      unitCode: "UMR9310",
      healthTimeoutMs: 8_000,
      env: { AUTO_DB_UPDATE: "true" },
    });
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  it("a new version that migrated as it started and never answers: rolled back with the database as it was", async () => {
    const before = await f.state();
    expect(before.schema).toBe(144);
    const { outcome, operation, logs } = await upgrade("5.1.0-fault-unhealthy");
    expect(operation.error).toMatch(/^Wait for the database and eLabFTW: \/healthcheck\.php answering ok/);
    expect(outcome).toBe("rolled_back");
    // The dump was complete before the new container started (it migrates as it starts).
    const dumped = logs.findIndex((l) => /^Dumped the database at the stop/.test(l));
    const started = logs.findIndex((l) => /^Started .* on elabftw\/elabimg:5\.1\.0-fault-unhealthy/.test(l));
    expect(dumped).toBeGreaterThan(-1);
    expect(started).toBeGreaterThan(dumped);
    expect(logs).toContain("Restoring the database as it was at the stop (the dump taken inside the downtime).");
    // Schema 144 again, every table as it was, the old version serving.
    expect(await f.state()).toEqual(before);
  }, 240_000);

  it("a good upgrade says the container migrated the schema itself, and stands", async () => {
    const { outcome, logs } = await upgrade("5.1.0");
    expect(outcome).toBe("succeeded");
    expect(logs).toContain("Schema 144 → 165: the new container migrated it as it started (AUTO_DB_UPDATE=true).");
    const after = await f.state();
    expect(after.schema).toBe(165);
    expect(after.image).toBe("elabftw/elabimg:5.1.0");
  }, 240_000);
});
