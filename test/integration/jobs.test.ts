import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { startJobs, type Jobs } from "../../lib/server/jobs/jobs";
import { readTagCache } from "../../lib/server/registry/tag-cache";
import { createOperation } from "../../lib/server/operations/journal";
import { VERIFY_STEPS, verifyOperation } from "../../lib/server/backups/verify-backup";
import { operationJobSender } from "../../lib/server/jobs/queue";
import { BUSYBOX, TEST_REGISTRY, TEST_SOCKET } from "../support/docker";
import { useFreshDatabase } from "../support/fresh-database";

const ring = parseKeyRing(generateKeySpec());

describe("background jobs on the Postgres queue", () => {
  const database = useFreshDatabase("jobs", { migrated: true });
  let db: Db;
  let jobs: Jobs | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await jobs?.stop();
    await db?.$disconnect();
  });

  it("snapshots every host as soon as the panel starts, then on the schedule, and records unreachable ones", async () => {
    const actor = { id: "00000000-0000-4000-8000-000000000001", email: "ops@unit.example" };
    const context = { ip: null, userAgent: null };
    const good = await createHost(
      db,
      ring,
      actor,
      { kind: "socket", name: "engine", socketPath: TEST_SOCKET },
      context,
    );
    const gone = await createHost(
      db,
      ring,
      actor,
      { kind: "socket", name: "gone", socketPath: "/tmp/pl-no-such.sock" },
      context,
    );
    const unit = await db.unit.create({ data: { code: "UMR0001", name: "One" } });
    await db.instance.create({
      data: {
        name: "elab-one",
        unitId: unit.id,
        webHostId: good,
        webContainerName: "elabftw",
        databasePlacement: "container",
        imageRepository: "elabftw/elabimg",
        imageTag: "5.0.4",
        siteUrl: "https://elab.unit.example",
        uploadsKind: "volume",
        uploadsSource: "uploads",
      },
    });
    jobs = await startJobs({
      databaseUrl: database.url,
      ring,
      log: (l) => log.push(l),
      helperImages: [BUSYBOX],
      registry: { url: TEST_REGISTRY },
      sweepIntervalMs: 500,
    });

    await expect
      .poll(async () => (await db.dockerHost.findUniqueOrThrow({ where: { id: good } })).reachability, {
        timeout: 30_000,
      })
      .toBe("reachable");
    const engine = await db.dockerHost.findUniqueOrThrow({ where: { id: good } });
    expect(Number(engine.freeBytes)).toBeGreaterThan(0); // the first run measures disk space
    const missing = await db.dockerHost.findUniqueOrThrow({ where: { id: gone } });
    expect(missing.reachability).toBe("unreachable");
    expect(missing.lastSnapshotError).toContain("/tmp/pl-no-such.sock");
    expect(log.join("\n")).toContain("unreachable: gone");

    // The registry's tag list of the fleet's image, fetched at start too.
    await expect
      .poll(async () => (await readTagCache(db))["elabftw/elabimg"]?.tags ?? [], { timeout: 30_000 })
      .toEqual(expect.arrayContaining(["5.0.4", "5.1.0"]));
    expect((await readTagCache(db))["elabftw/elabimg"]?.error).toBeNull();

    // The schedule is stored in the queue's own schema, not in the panel's tables.
    const schedules = await db.$queryRaw<{ name: string; cron: string }[]>`SELECT name, cron FROM pgboss.schedule`;
    expect(schedules.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "backup-alerts", cron: "*/5 * * * *" },
      { name: "backup-scheduler", cron: "* * * * *" },
      { name: "hosts-snapshot", cron: "* * * * *" },
      { name: "housekeeping", cron: "23 3 * * *" },
      { name: "refusal-tallies", cron: "* * * * *" },
      { name: "registry-tags", cron: "17 * * * *" },
      { name: "repository-check", cron: "41 4 * * *" },
      { name: "upgrade-schedules", cron: "* * * * *" },
    ]);
  });

  it("hands out an operation whose job was never sent (the panel stopped right after the request)", async () => {
    const unit = await db.unit.findFirstOrThrow();
    const instance = await db.instance.findFirstOrThrow({ where: { unitId: unit.id } });
    // Requested a while ago, committed, but no job reached the queue.
    const operationId = await createOperation(db, {
      operation: verifyOperation,
      instanceId: instance.id,
      params: { backupId: "00000000-0000-4000-8000-000000000000" },
      steps: [...VERIFY_STEPS],
    });
    await db.operation.update({ where: { id: operationId }, data: { createdAt: new Date(Date.now() - 120_000) } });
    // The sweep queues it and a worker runs it: it ends (here failed: its backup is not there) and frees the instance.
    await expect
      .poll(async () => (await db.operation.findUniqueOrThrow({ where: { id: operationId } })).state, {
        timeout: 20_000,
      })
      .toBe("failed");
    const op = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
    expect(op.error).toMatch(/This backup is no longer in the inventory/);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).activeOperationId).toBeNull();
    // The worker says so once the operation returned.
    await expect.poll(() => log, { timeout: 5_000 }).toContain(`Operation ${operationId}: failed.`);
  });

  it("a request is committed with its job or not at all: the job is written on the request's own transaction", async () => {
    const unit = await db.unit.findFirstOrThrow();
    const instance = await db.instance.findFirstOrThrow({ where: { unitId: unit.id } });
    const send = operationJobSender(database.url);
    const request = (sendJob: typeof send) =>
      createOperation(
        db,
        {
          operation: verifyOperation,
          instanceId: instance.id,
          params: { backupId: "00000000-0000-4000-8000-000000000001" },
          steps: [...VERIFY_STEPS],
        },
        undefined,
        sendJob,
      );
    const jobsOf = async (operationId: string) =>
      (
        await db.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE singleton_key = $1`,
          operationId,
        )
      )[0]!.n;
    const operations = () => db.operation.count();

    // The job is sent and then the transaction fails: neither the operation nor its job is there.
    const before = await operations();
    let sentFor: string | null = null;
    await expect(
      request(async (tx, operationId) => {
        await send(tx, operationId);
        sentFor = operationId;
        throw new Error("the database went away");
      }),
    ).rejects.toThrow(/The job queue did not take this request, so nothing was done/);
    expect(sentFor).not.toBeNull();
    expect(await jobsOf(sentFor!)).toBe(0);
    expect(await operations()).toBe(before);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).activeOperationId).toBeNull();

    // Committed: the job is there with it, and a worker runs it at once (not a minute later, by the sweep).
    const operationId = await request(send);
    expect(await jobsOf(operationId)).toBe(1);
    await expect
      .poll(async () => (await db.operation.findUniqueOrThrow({ where: { id: operationId } })).state, {
        timeout: 20_000,
      })
      .toBe("failed");
    expect((await db.operation.findUniqueOrThrow({ where: { id: operationId } })).error).toMatch(
      /This backup is no longer in the inventory/,
    );
  });
});
