import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { createOperation } from "../../lib/server/operations/journal";
import { VERIFY_STEPS, verifyOperation } from "../../lib/server/backups/verify-backup";
import { OPERATIONS } from "../../lib/server/operations/registry";
import { UPGRADE_STEPS, upgradeOperation, type UpgradePlan } from "../../lib/server/upgrades/upgrade";
import { useFreshDatabase } from "../support/fresh-database";
import { inventoryInstance } from "../support/inventory";

const ring = parseKeyRing(generateKeySpec());

/**
 * The executor reads an operation's params with its kind's schema, at the
 * version they were written with. An operation left in the queue by an older
 * panel (another params version, or a shape that no longer parses) is refused
 * with a message that says what happened and what to do, and nothing runs:
 * the instance's host does not even exist here, so a step that ran would fail
 * with another message.
 */
describe("operation registry", () => {
  const database = useFreshDatabase("operation_registry", { migrated: true });
  let db: Db;
  let instanceId: string;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    ({ instanceId } = await inventoryInstance(db));
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  const plan = (): UpgradePlan => ({
    instanceId,
    name: "elab",
    repository: "elabftw/elabimg",
    fromTag: "5.0.4",
    toTag: "5.1.0",
  });
  const queue = () =>
    createOperation(db, { operation: upgradeOperation, instanceId, params: plan(), steps: [...UPGRADE_STEPS] });

  async function after(operationId: string) {
    const op = await db.operation.findUniqueOrThrow({
      where: { id: operationId },
      select: { state: true, error: true, leaseOwner: true, steps: { select: { state: true } } },
    });
    const logs = await db.operationLog.count({ where: { operationId } });
    const held = (await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).activeOperationId;
    return { ...op, steps: [...new Set(op.steps.map((s) => s.state))], logs, held };
  }

  it("registers every kind, and stores each operation with its kind's params version", async () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual([
      "backup",
      "database_upgrade",
      "deploy",
      "recover",
      "restore",
      "upgrade",
      "verify",
    ]);
    for (const [kind, definition] of Object.entries(OPERATIONS)) expect(definition.kind).toBe(kind);
    const id = await queue();
    const row = await db.operation.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ kind: "upgrade", paramsVersion: upgradeOperation.version, params: plan() });
    await db.operation.delete({ where: { id } });
    await db.instance.update({ where: { id: instanceId }, data: { activeOperationId: null } });
  });

  it("refuses an operation queued with an older params version: nothing runs, the instance is released", async () => {
    const id = await queue();
    await db.operation.update({ where: { id }, data: { paramsVersion: upgradeOperation.version - 1 } });
    expect(await executeOperation(db, ring, id, { owner: "w" })).toBe("failed");
    const op = await after(id);
    expect(op.error).toBe(
      `This upgrade operation was queued by a panel version that wrote its parameters in shape ${upgradeOperation.version - 1}; ` +
        `this panel reads shape ${upgradeOperation.version} only. Nothing was done: request it again.`,
    );
    expect(op).toMatchObject({ state: "failed", steps: ["skipped"], logs: 0, held: null, leaseOwner: null });
    // The instance can take a new operation at once.
    await expect(queue()).resolves.toBeTruthy();
    await db.instance.update({ where: { id: instanceId }, data: { activeOperationId: null } });
  });

  it("refuses params that no longer parse, naming the field; a started one sends the operator to its steps", async () => {
    const id = await queue();
    const older: Partial<UpgradePlan> = plan();
    delete older.toTag;
    await db.operation.update({
      where: { id },
      data: { params: older, state: "running", startedAt: new Date(), leaseExpiresAt: new Date(0) },
    });
    expect(await executeOperation(db, ring, id, { owner: "w" })).toBe("failed");
    const op = await after(id);
    expect(op.error).toMatch(/^This upgrade operation has parameters this panel cannot read \(toTag: .+\)\. /);
    expect(op.error).toMatch(/It had started: see its steps for how far it went, check the instance, then request/);
    expect(op).toMatchObject({ state: "failed", steps: ["skipped"], logs: 0, held: null });
  });

  it("params at this panel's version run: the steps start (and fail on what is missing, not on the shape)", async () => {
    const id = await createOperation(db, {
      operation: verifyOperation,
      instanceId,
      params: { backupId: "00000000-0000-4000-8000-000000000000" },
      steps: [...VERIFY_STEPS],
    });
    expect(await executeOperation(db, ring, id, { owner: "w" })).toBe("failed");
    const op = await db.operation.findUniqueOrThrow({ where: { id }, include: { steps: true } });
    expect(op.error).not.toMatch(/shape|cannot read/);
    expect(op.error).toBe(
      "Check the files against the sealed manifest: This backup is no longer in the inventory (it was removed since).",
    );
    expect(op.steps.filter((s) => s.state === "failed")).toHaveLength(1);
  });

  it("refuses to queue params that do not fit the kind's schema, writing nothing", async () => {
    const before = await db.operation.count();
    const bad = { ...plan(), toTag: 510 } as unknown as UpgradePlan;
    await expect(
      createOperation(db, { operation: upgradeOperation, instanceId, params: bad, steps: [...UPGRADE_STEPS] }),
    ).rejects.toThrow(/toTag/);
    expect(await db.operation.count()).toBe(before);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).activeOperationId).toBeNull();
  });
});
