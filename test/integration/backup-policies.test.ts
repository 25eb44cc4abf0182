import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { dataDir } from "../../lib/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { assignPolicy, createPolicy } from "../../lib/server/backups/policies";
import { pruneBackups } from "../../lib/server/backups/retention";
import { dueBackups, requestDueBackups } from "../../lib/server/backups/schedule";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { refusal } from "../support/refusal";

const context = { ip: "10.0.0.7", userAgent: "vitest" };

/** Policies (checked input), the scheduler's slots, and retention deleting restore points on disk. */
describe("backup policies, schedules and retention", () => {
  const database = useFreshDatabase("backup_policies", { migrated: true });
  const work = mkdtempSync(path.join(tmpdir(), "policies-"));
  let db: Db;
  let actor: { id: string; email: string; securityKeyId: string };
  let instanceId: string;
  let unitId: string;

  const valid = () => ({
    name: "Nightly",
    schedule: "30 2 * * *",
    timezone: "Europe/Paris",
    retentionDays: "60",
    keepLast: "3",
    destinationDir: path.join(work, "dest"),
    extraRecipients: "",
    verifyAfterBackup: "true",
  });

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const operator = await operatorWithKey(db, "policies@unit.example", "operator");
    actor = { id: operator.id, email: operator.email, securityKeyId: operator.keyId };
    const host = await db.dockerHost.create({ data: { name: "h", kind: "socket", address: "/run/none.sock" } });
    unitId = (await db.unit.create({ data: { code: "UMR9300", name: "Policies" } })).id;
    instanceId = (
      await db.instance.create({
        data: {
          name: "scheduled",
          unitId,
          webHostId: host.id,
          webContainerName: "elabftw",
          databasePlacement: "container",
          imageTag: "5.1.0",
          siteUrl: "https://elab.unit.example",
          uploadsKind: "volume",
          uploadsSource: "uploads",
          createdAt: new Date("2026-01-01T00:00:00Z"),
        },
      })
    ).id;
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("refuses bad policies with the field named, and saves nothing", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ schedule: "every night" }, /^Schedule must be a five-field cron expression/],
      [{ schedule: "61 2 * * *" }, /^Schedule must be a five-field cron expression/],
      [{ timezone: "Mars/Olympus" }, /^Time zone must be a time zone/],
      [{ retentionDays: "0" }, /^Keep for must be between 1 and 3650 days/],
      [{ keepLast: "-1" }, /^Keep at least must be between 1 and 1000/],
      [{ destinationDir: "relative/dir" }, /^Destination must be an absolute path, e.g\. \/srv\/backups\/elabftw/],
      [{ destinationDir: "/etc" }, /^Destination must not be in \/etc \(a system directory\)/],
      [{ destinationDir: "/" }, /^Destination must not be \/ itself/],
      [{ destinationDir: dataDir() }, /^Destination must not be inside the panel's data directory/],
      [{ extraRecipients: "age1notakey" }, /^Extra recipients must be age public keys/],
      [{ name: "" }, /^Name must not be empty/],
    ];
    for (const [override, message] of cases) {
      const error = await refusal(createPolicy(db, actor, { ...valid(), ...override }, context));
      expect(error.message, JSON.stringify(override)).toMatch(message);
    }
    // A destination the panel cannot write to.
    writeFileSync(path.join(work, "a-file"), "x");
    const unwritable = await refusal(
      createPolicy(db, actor, { ...valid(), destinationDir: path.join(work, "a-file", "below") }, context),
    );
    expect(unwritable.message).toMatch(/^The panel cannot write to /);
    expect(await db.backupPolicy.count()).toBe(0);
  });

  it("saves a good policy with its recovery keys, and assigns it", async () => {
    const recovery = await identityToRecipient(await generateIdentity());
    const id = await createPolicy(db, actor, { ...valid(), extraRecipients: `${recovery}\n` }, context);
    const policy = await db.backupPolicy.findUniqueOrThrow({ where: { id } });
    expect(policy).toMatchObject({
      retentionDays: 60,
      keepLast: 3,
      extraRecipients: [recovery],
      verifyAfterBackup: true,
    });
    expect(existsSync(policy.destinationDir)).toBe(true);
    await expect(createPolicy(db, actor, valid(), context)).rejects.toThrow(/already exists/);
    await assignPolicy(db, actor, instanceId, id, context);
    expect((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).backupPolicyId).toBe(id);
    await expect(
      assignPolicy(db, actor, instanceId, "00000000-0000-4000-8000-000000000000", context),
    ).rejects.toBeInstanceOf(AppError);
  });

  it("requests one scheduled backup per slot, never two, and catches up once after a pause", async () => {
    // 02:30 Paris is 01:30 UTC in December.
    const afterSlot = new Date("2026-12-01T01:31:00Z");
    expect(await dueBackups(db, afterSlot)).toEqual([{ instanceId, slot: new Date("2026-12-01T01:30:00Z") }]);
    const first = await requestDueBackups(db, afterSlot);
    expect(first).toEqual([
      { operationId: expect.any(String), slotKey: `backup:${instanceId}:2026-12-01T01:30:00.000Z` },
    ]);
    // The operation is created now (real time) — after the slot: the same slot is not requested again.
    expect(await requestDueBackups(db, new Date("2026-12-01T01:32:00Z"))).toEqual([]);
    // While it holds the instance, the next slot waits (no error, nothing requested twice).
    const nextDay = new Date("2026-12-02T01:31:00Z");
    await db.operation.update({
      where: { id: first[0]!.operationId },
      data: { createdAt: new Date("2026-12-01T01:31:00Z") },
    });
    expect(await requestDueBackups(db, nextDay)).toEqual([]);
    expect(await db.operation.count({ where: { kind: "backup" } })).toBe(1);
    // Once released, the next slot is requested.
    await db.instance.update({ where: { id: instanceId }, data: { activeOperationId: null } });
    expect((await requestDueBackups(db, nextDay)).length).toBe(1);
  });

  it("prunes restore points past the policy, keeping the last K and the newest verified, and audits it", async () => {
    const now = new Date();
    const make = async (daysAgo: number, verified: boolean) => {
      const location = path.join(work, "dest", `point-${daysAgo}`);
      mkdirSync(location, { recursive: true });
      writeFileSync(path.join(location, "manifest.json"), "{}");
      const b = await db.backup.create({
        data: {
          instanceId,
          trigger: "scheduled",
          status: "succeeded",
          location,
          createdAt: new Date(now.getTime() - daysAgo * 24 * 3600_000),
          verificationStatus: verified ? "passed" : "failed",
        },
      });
      return { id: b.id, location };
    };
    const points = {
      d1: await make(1, false),
      d70: await make(70, false),
      d80: await make(80, false),
      d90: await make(90, true),
      d100: await make(100, false),
      d200: await make(200, true),
    };
    const pruned = await pruneBackups(db, instanceId, now);
    // keepLast 3 keeps d1, d70, d80; d90 is the newest verified; d100 and d200 go.
    expect(pruned.sort()).toEqual([points.d100.id, points.d200.id].sort());
    for (const key of ["d1", "d70", "d80", "d90"] as const) expect(existsSync(points[key].location)).toBe(true);
    for (const key of ["d100", "d200"] as const) {
      expect(existsSync(points[key].location)).toBe(false);
      expect(await db.backup.findUniqueOrThrow({ where: { id: points[key].id } })).toMatchObject({ status: "pruned" });
    }
    const audit = await db.auditEvent.findMany({ where: { action: "backup.pruned" } });
    expect(audit.map((a) => a.targetId).sort()).toEqual(pruned.sort());
  });
});
