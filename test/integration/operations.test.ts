import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import {
  createOperation,
  OperationConflict,
  runOperation,
  type StepDefinition,
} from "../../lib/server/operations/journal";
import { useFreshDatabase } from "../support/fresh-database";
import { inventoryInstance } from "../support/inventory";
import { journalOnly } from "../support/journal-only";

describe("operation journal", () => {
  const database = useFreshDatabase("operations", { migrated: true });
  let db: Db;
  let instanceId: string;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    ({ instanceId } = await inventoryInstance(db, { host: { name: "h", address: "/run/docker.sock" } }));
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  const trace: string[] = [];
  const step = (
    key: string,
    behaviour: "ok" | "fail" = "ok",
    undo = true,
  ): StepDefinition<Record<string, unknown>> => ({
    key,
    title: `Step ${key}`,
    async run(ctx) {
      await ctx.intent({ about: key });
      trace.push(`run ${key}`);
      await ctx.log(`doing ${key}`);
      await ctx.progress(10, `working on ${key}`);
      if (behaviour === "fail") throw new Error(`${key} broke`);
      return { made: key, saw: ["a", "b", "c", "d"].filter((k) => ctx.resultIfAny(k) !== undefined) };
    },
    compensate: undo
      ? async () => {
          trace.push(`undo ${key}`);
        }
      : undefined,
  });
  const plan = (defs: StepDefinition<Record<string, unknown>>[]) => defs.map((d) => ({ key: d.key, title: d.title }));

  it("journals each step (intent, result), passes results on, reports progress and releases the instance", async () => {
    trace.length = 0;
    const defs = [step("a"), step("b"), step("c")];
    const id = await createOperation(db, {
      operation: journalOnly("deploy"),
      instanceId,
      params: { target: "5.1.0" },
      steps: plan(defs),
    });
    expect((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).activeOperationId).toBe(id);
    expect(await runOperation(db, id, defs, { owner: "w1" })).toBe("succeeded");
    const steps = await db.operationStep.findMany({ where: { operationId: id }, orderBy: { position: "asc" } });
    expect(steps.map((s) => [s.key, s.state, s.intent, s.result])).toEqual([
      ["a", "succeeded", { title: "Step a", about: "a" }, { made: "a", saw: [] }],
      ["b", "succeeded", { title: "Step b", about: "b" }, { made: "b", saw: ["a"] }],
      ["c", "succeeded", { title: "Step c", about: "c" }, { made: "c", saw: ["a", "b"] }],
    ]);
    const op = await db.operation.findUniqueOrThrow({ where: { id } });
    expect(op).toMatchObject({ state: "succeeded", progress: 100, leaseOwner: null, error: null });
    expect(
      (await db.operationLog.findMany({ where: { operationId: id }, orderBy: { id: "asc" } })).map((l) => l.message),
    ).toEqual(["doing a", "doing b", "doing c"]);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).activeOperationId).toBeNull();
  });

  it("on a failure, undoes the finished steps newest first, skips the rest, and ends rolled back", async () => {
    trace.length = 0;
    const defs = [step("a"), step("b"), step("c", "fail"), step("d")];
    const id = await createOperation(db, {
      operation: journalOnly("upgrade"),
      instanceId,
      params: {},
      steps: plan(defs),
    });
    expect(await runOperation(db, id, defs, { owner: "w1" })).toBe("rolled_back");
    expect(trace).toEqual(["run a", "run b", "run c", "undo b", "undo a"]);
    const steps = await db.operationStep.findMany({ where: { operationId: id }, orderBy: { position: "asc" } });
    expect(steps.map((s) => s.state)).toEqual(["compensated", "compensated", "failed", "skipped"]);
    const op = await db.operation.findUniqueOrThrow({ where: { id } });
    expect(op).toMatchObject({ state: "rolled_back", error: "Step c: c broke" });
    const logs = (await db.operationLog.findMany({ where: { operationId: id, level: "error" } })).map((l) => l.message);
    expect(logs).toEqual(["Step c failed: c broke"]);
  });

  it("ends failed, not rolled back, when nothing could be undone", async () => {
    const defs = [step("a", "ok", false), step("b", "fail")];
    const id = await createOperation(db, {
      operation: journalOnly("backup"),
      instanceId,
      params: {},
      steps: plan(defs),
    });
    expect(await runOperation(db, id, defs, { owner: "w1" })).toBe("failed");
  });

  it("holds an instance for one operation at a time, in the database", async () => {
    const defs = [step("a")];
    const first = await createOperation(db, {
      operation: journalOnly("backup"),
      instanceId,
      params: {},
      steps: plan(defs),
    });
    const second = await createOperation(db, {
      operation: journalOnly("upgrade"),
      instanceId,
      params: {},
      steps: plan(defs),
    }).catch((e) => e);
    expect(second).toBeInstanceOf(OperationConflict);
    expect((second as OperationConflict).message).toBe("Another operation is already running on this instance.");
    expect(await db.operation.count({ where: { kind: "upgrade", state: "queued" } })).toBe(0); // nothing left behind
    await runOperation(db, first, defs, { owner: "w1" });
    await expect(
      createOperation(db, { operation: journalOnly("upgrade"), instanceId, params: {}, steps: plan(defs) }),
    ).resolves.toBeTruthy();
    await db.instance.update({ where: { id: instanceId }, data: { activeOperationId: null } });
  });

  it("refuses a second worker while the lease is live, and lets one resume after the lease expired", async () => {
    trace.length = 0;
    const defs = [step("a"), step("b")];
    const id = await createOperation(db, { operation: journalOnly("deploy"), params: {}, steps: plan(defs) });
    // A worker took it, finished step a, then died (its lease is still live).
    const [a] = await db.operationStep.findMany({ where: { operationId: id }, orderBy: { position: "asc" } });
    await db.operationStep.update({
      where: { id: a!.id },
      data: { state: "succeeded", result: { made: "a", saw: [] } },
    });
    await db.operation.update({
      where: { id },
      data: { state: "running", leaseOwner: "dead", leaseExpiresAt: new Date(Date.now() + 60_000) },
    });
    await expect(runOperation(db, id, defs, { owner: "w2" })).rejects.toBeInstanceOf(OperationConflict);
    // The lease runs out: the next worker resumes where the journal says, without redoing step a.
    await db.operation.update({ where: { id }, data: { leaseExpiresAt: new Date(Date.now() - 1_000) } });
    expect(await runOperation(db, id, defs, { owner: "w2" })).toBe("succeeded");
    expect(trace).toEqual(["run b"]);
    const b = await db.operationStep.findFirstOrThrow({ where: { operationId: id, key: "b" } });
    expect(b.result).toEqual({ made: "b", saw: ["a"] });
  });

  it("undoes a step's own partial work when it fails, and rolls back an operation cut short instead of going on", async () => {
    trace.length = 0;
    const partial: StepDefinition = { ...step("swap", "fail"), compensateOnFailure: true };
    const defs = [step("first"), partial, step("never")];
    const id = await createOperation(db, {
      operation: journalOnly("upgrade"),
      instanceId,
      params: {},
      steps: plan(defs),
    });
    expect(await runOperation(db, id, defs, { owner: "t" })).toBe("rolled_back");
    expect(trace).toEqual(["run first", "run swap", "undo swap", "undo first"]);

    // Cut short: "second" was running when the worker died; the next worker rolls back instead.
    trace.length = 0;
    const cut = [step("one"), { ...step("two"), compensateOnFailure: true }, step("three"), step("four")];
    const opId = await createOperation(db, {
      operation: journalOnly("upgrade"),
      instanceId,
      params: {},
      steps: plan(cut),
    });
    await db.operationStep.updateMany({ where: { operationId: opId, key: "one" }, data: { state: "succeeded" } });
    await db.operationStep.updateMany({ where: { operationId: opId, key: "two" }, data: { state: "running" } });
    expect(await runOperation(db, opId, cut, { owner: "t2", rollBackInterrupted: "The panel stopped." })).toBe(
      "rolled_back",
    );
    expect(trace).toEqual(["undo two", "undo one"]);
    const steps = await db.operationStep.findMany({ where: { operationId: opId }, orderBy: { position: "asc" } });
    expect(steps.map((s) => [s.key, s.state])).toEqual([
      ["one", "compensated"],
      ["two", "failed"],
      ["three", "skipped"],
      ["four", "skipped"],
    ]);
    expect((await db.operation.findUniqueOrThrow({ where: { id: opId } })).error).toBe("Step two: The panel stopped.");
  });

  it("lists operations with filters, and only their units' operations to a correspondant", async () => {
    const { findOperation, findRecentOperations } = await import("../../lib/server/operations/find-operations");
    const unit2 = await db.unit.create({ data: { code: "UMR0002", name: "Two" } });
    const other = await db.instance.create({
      data: {
        name: "other-elab",
        unitId: unit2.id,
        webHostId: (await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).webHostId,
        webContainerName: "elabftw2",
        databasePlacement: "container",
        imageTag: "5.0.4",
        siteUrl: "https://elab2.unit.example",
        uploadsKind: "volume",
        uploadsSource: "uploads2",
      },
    });
    const theirs = await createOperation(db, {
      operation: journalOnly("backup"),
      instanceId: other.id,
      params: {},
      steps: [],
    });
    const cle = await db.operator.create({
      data: {
        email: "cle2@unit.example",
        displayName: "CLE",
        webauthnUserId: new Uint8Array(32).fill(7),
        role: "correspondant",
        expiresAt: new Date(Date.now() + 86_400_000),
        memberships: { create: { unitId: unit2.id } },
      },
    });
    const viewer = { id: cle.id, role: "correspondant" as const };
    const staff = { id: cle.id, role: "operator" as const };
    expect((await findRecentOperations(db, viewer)).map((o) => o.id)).toEqual([theirs]);
    expect(await findOperation(db, viewer, theirs)).not.toBeNull();
    const mine = (await findRecentOperations(db, staff, { kind: "upgrade" })).map((o) => o.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(await findOperation(db, viewer, mine[0]!)).toBeNull();
    expect(await findRecentOperations(db, staff, { instance: "OTHER" })).toHaveLength(1);
    expect(await findRecentOperations(db, staff, { state: "rolled_back", kind: "backup" })).toHaveLength(0);
  });
});
