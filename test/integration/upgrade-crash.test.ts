import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { useFreshDatabase } from "../support/fresh-database";
import { KILL_POINT_MARKER, type KillPoint } from "../support/run-operation";
import { upgradeFixture } from "../support/upgrade-fixture";

const keySpec = generateKeySpec();
const ring = parseKeyRing(keySpec);
const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Crash safety: the upgrade runs in a worker process of its own, killed with
 * SIGKILL at every step boundary and in the middle of the migration. The
 * panel that starts again (the reconciler: executeOperation on an operation
 * whose lease expired) either finishes the commit, when the upgraded instance
 * had been verified, or rolls back; never anything half-done.
 */
describe("upgrade crash safety", () => {
  const database = useFreshDatabase("upgrade_crash", { migrated: true });
  let db: Db;
  let f: Awaited<ReturnType<typeof upgradeFixture>>;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    f = await upgradeFixture(db, ring, "crash");
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  /**
   * The upgrade in a worker process of its own, which stops at `point` (see
   * run-operation.ts) and is killed with SIGKILL there; what the journal held then.
   */
  async function killAt(operationId: string, point: KillPoint) {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test/support/run-operation.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PL_KEY_SPEC: keySpec,
        PL_OPERATION_ID: operationId,
        PL_OPTIONS: JSON.stringify({ ...f.options, owner: "doomed-worker" }),
        PL_KILL_POINT: JSON.stringify(point),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: Buffer[] = [];
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const reached = await new Promise<boolean>((resolve) => {
      child.stdout!.on("data", (b: Buffer) => {
        output.push(b);
        if (Buffer.concat(output).includes(KILL_POINT_MARKER)) {
          child.kill("SIGKILL");
          resolve(true);
        }
      });
      child.stderr!.on("data", (b: Buffer) => output.push(b));
      void exited.then(() => resolve(false));
    });
    await exited;
    const rows = await db.operationStep.findMany({
      where: { operationId },
      orderBy: { position: "asc" },
      select: { key: true, state: true },
    });
    const journal = rows.map((r) => `${r.key}:${r.state}`).join(" ");
    if (!reached) {
      const op = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
      const printed = Buffer.concat(output).toString("utf8").slice(-2000);
      throw new Error(
        `the worker ended without reaching its kill point (operation ${op.state}: ${op.error ?? "no error"}; journal ${journal}); it printed:\n${printed}`,
      );
    }
    return journal;
  }

  const running = (key: string): KillPoint => ({ running: key, pause: true });
  const CASES: [string, KillPoint][] = [
    ["after the pre-flight", running("backup")],
    ["after the backup", running("pull")],
    ["after the pull", running("recreate")],
    ["after the recreation", running("wait")],
    ["after the wait", running("migrate")],
    // Not held: bin/console db:update starts, and the kill lands while it runs (or just after).
    ["in the middle of the migration", { intentOf: "migrate", fields: { migration: "db:update" }, pause: false }],
    ["after the migration", running("verify")],
    ["after the verification", running("commit")],
  ];

  it("ends committed-and-healthy or rolled-back-and-healthy after a SIGKILL at every step boundary and mid-migration", async () => {
    const initial = await f.state();
    const outcomes: string[] = [];
    for (const [label, point] of CASES) {
      const operationId = await f.queue("5.1.0");
      const seen = await killAt(operationId, point);
      // The worker is gone; its lease runs out (made to expire now rather than in 30 s).
      await db.operation.update({ where: { id: operationId }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
      const outcome = await executeOperation(db, ring, operationId, { ...f.options, owner: "restarted-panel" });
      const after = await f.state();
      const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
      outcomes.push(`${label}: ${outcome} (killed at ${seen})`);
      expect(after.containers, label).toEqual([f.web]);
      expect(after.running, label).toBe(true);
      expect(after.restartPolicy, label).toBe("unless-stopped");
      expect(after.networks, label).toEqual(initial.networks);
      expect(after.uploads, label).toBe(initial.uploads);
      if (outcome === "succeeded") {
        expect(label).toBe("after the verification");
        expect(after.image).toBe("elabftw/elabimg:5.1.0");
        expect(after.schema).toBe(165);
      } else {
        expect(outcome, label).toBe("rolled_back");
        expect(operation.error, label).toMatch(/The panel stopped during this step/);
        expect(after.image, label).toBe("elabftw/elabimg:5.0.4");
        expect(after.checksums, label).toEqual(initial.checksums);
        expect(after.schema, label).toBe(144);
      }
      expect((await db.instance.findUniqueOrThrow({ where: { id: f.instanceId } })).activeOperationId).toBeNull();
    }
    console.log(`[upgrade-crash] ${outcomes.length} crash cases:\n  ${outcomes.join("\n  ")}`);
    expect(outcomes).toHaveLength(CASES.length);
    expect(outcomes.at(-1)).toMatch(/: succeeded/);
  }, 900_000);
});
