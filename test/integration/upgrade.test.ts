import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { execCapture, removeContainer, stopContainer } from "../../lib/docker";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { OperationConflict } from "../../lib/server/operations/journal";
import { executeOperation } from "../../lib/server/operations/execute";
import { requestUpgrade } from "../../lib/server/upgrades/upgrade";
import { assignPolicy, createPolicy } from "../../lib/server/backups/policies";
import { createRepository } from "../../lib/server/repositories/repositories";
import { downtimeFrom, startProbe } from "../support/downtime-probe";
import { rootSql } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { COMPOSE_FILE, upgradeFixture } from "../support/upgrade-fixture";

const ring = parseKeyRing(generateKeySpec());

/**
 * The reference upgrade, 5.0.4 → 5.1.0 (schema 144 → 165), on the real
 * engine with the stand-in images: it ends upgraded and healthy, or, for
 * every fault variant, rolled back on 5.0.4 with the database and uploads
 * exactly as they were, one container serving the instance.
 */
describe("upgrades", () => {
  const database = useFreshDatabase("upgrade", { migrated: true });
  let db: Db;
  let f: Awaited<ReturnType<typeof upgradeFixture>>;

  async function upgrade(toTag: string) {
    const operationId = await f.queue(toTag);
    const outcome = await executeOperation(db, ring, operationId, f.options);
    const operation = await db.operation.findUniqueOrThrow({
      where: { id: operationId },
      include: { steps: { orderBy: { position: "asc" } } },
    });
    return { operationId, outcome, operation };
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    // The stand-in answers within a second or two: the variants that wait for a health that never comes
    // (unhealthy image, database stopped) need not wait 25 s for it.
    f = await upgradeFixture(db, ring, "upgrade", { healthTimeoutMs: 12_000 });
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  it("refuses versions that are not stable or not newer, before creating anything", async () => {
    for (const [version, message] of [
      ["latest", /not a stable eLabFTW version/],
      ["5.1.0-rc1", /not a stable eLabFTW version/],
      ["5.1", /not a stable eLabFTW version/],
      [42, /not a stable eLabFTW version/],
      ["5.0.4", /not newer than the running version 5\.0\.4/],
      ["4.9.0", /not newer/],
    ] as const) {
      await expect(requestUpgrade(db, f.actor, { instanceId: f.instanceId, version }, f.context)).rejects.toThrow(
        message,
      );
    }
    expect(await db.operation.count({ where: { kind: "upgrade" } })).toBe(0);
  });

  it("a tag missing from the registry stops at the pre-flight, nothing changed", async () => {
    const before = await f.state();
    const { outcome, operation } = await upgrade("5.1.9");
    expect(outcome).toBe("failed");
    expect(operation.error).toMatch(/^Pre-flight checks: elabftw\/elabimg:5\.1\.9 does not exist in the registry/);
    expect(operation.steps.filter((s) => s.state === "succeeded")).toEqual([]);
    expect(await f.state()).toEqual(before);
  }, 120_000);

  it("eLabFTW's user without the rights a migration needs stops at the pre-flight, nothing changed", async () => {
    // As found on installs set up by hand: rows only, no ALTER, CREATE, DROP, INDEX or REFERENCES.
    await rootSql(
      f.engine,
      f.mysql,
      `REVOKE ALL PRIVILEGES ON ${f.schema}.* FROM 'elabftw'@'%'; GRANT SELECT, INSERT, UPDATE, DELETE ON ${f.schema}.* TO 'elabftw'@'%';`,
    );
    try {
      const before = await f.state();
      const { outcome, operation } = await upgrade("5.1.0");
      expect(outcome).toBe("failed");
      expect(operation.error).toBe(
        "Pre-flight checks: eLabFTW's database user lacks CREATE, DROP, ALTER, INDEX, REFERENCES on its database: a migration would fail halfway.",
      );
      expect(operation.steps.filter((s) => s.state === "succeeded")).toEqual([]);
      expect(await f.state()).toEqual(before);
    } finally {
      await rootSql(f.engine, f.mysql, `GRANT ALL PRIVILEGES ON ${f.schema}.* TO 'elabftw'@'%';`);
    }
  }, 120_000);

  // The last two under a policy with a restic repository: the pre-upgrade backup is then a snapshot, the
  // second one costing what changed, and the rollback reads the dump at the stop or the snapshot.
  const resticPolicy = async (on: boolean) => {
    const instance = await db.instance.findUniqueOrThrow({
      where: { id: f.instanceId },
      select: { backupPolicyId: true },
    });
    if (!on) {
      await db.backupPolicy.update({ where: { id: instance.backupPolicyId! }, data: { repositoryId: null } });
      return;
    }
    const { id: repositoryId } = await createRepository(
      db,
      ring,
      f.actor,
      {
        kind: "host_directory",
        name: "upgrade repository",
        hostId: (await db.instance.findUniqueOrThrow({ where: { id: f.instanceId } })).webHostId,
        location: path.join(f.options.backup.defaultDir, "..", "repository"),
      },
      f.context,
    );
    mkdirSync(path.join(f.options.backup.defaultDir, "..", "repository"), { recursive: true });
    const policyId = await createPolicy(
      db,
      f.actor,
      {
        name: "upgrade policy",
        schedule: "30 2 * * *",
        timezone: "Europe/Paris",
        retentionDays: 60,
        keepLast: 7,
        destinationDir: f.options.backup.defaultDir,
      },
      f.context,
    );
    await db.backupPolicy.update({ where: { id: policyId }, data: { repositoryId } });
    await assignPolicy(db, f.actor, f.instanceId, policyId, f.context);
  };
  for (const [variant, reason, format] of [
    [
      "5.1.0-fault-unhealthy",
      /^Wait for the database and eLabFTW: \/healthcheck\.php answering ok did not happen/,
      "files",
    ],
    // This console exits 0 without running anything, db:check included: judged by what it prints.
    [
      "5.1.0-fault-console",
      /^Migrate the database schema: bin\/console db:update exited 0 without giving its answer/,
      "restic",
    ],
    [
      "5.1.0-fault-migration",
      // The SQL error itself, not the banner of the file it was in.
      /^Migrate the database schema: bin\/console db:update failed \(exit 255\): ERROR \d+ \(\w+\)/,
      "restic",
    ],
    // Across many releases (144 → 217), failing at schema 210 after 65 files applied.
    [
      "5.6.12-fault-migration",
      /^Migrate the database schema: bin\/console db:update failed \(exit 255\): ERROR \d+ \(\w+\)/,
      "files",
    ],
  ] as const) {
    it(`${variant}: rolled back on 5.0.4 with the database and uploads exactly as they were (pre-upgrade backup: ${format})`, async () => {
      if (variant === "5.1.0-fault-console") await resticPolicy(true);
      const before = await f.state();
      expect(before.image).toBe("elabftw/elabimg:5.0.4");
      const { outcome, operation } = await upgrade(variant);
      expect(operation.error).toMatch(reason);
      expect(outcome).toBe("rolled_back");
      const after = await f.state();
      expect(after).toEqual(before);
      expect(after.containers).toEqual([f.web]);
      const steps = Object.fromEntries(operation.steps.map((s) => [s.key, s.state]));
      expect(steps).toMatchObject({
        preflight: "succeeded",
        backup: "compensated",
        pull: "succeeded",
        recreate: "compensated",
      });
      // The backup taken before the upgrade stays, verified: a good restore point.
      const backup = await db.backup.findFirstOrThrow({
        where: { instanceId: f.instanceId, trigger: "pre_upgrade" },
        orderBy: { startedAt: "desc" },
      });
      expect(backup).toMatchObject({ status: "succeeded", verificationStatus: "passed", format });
      expect((await db.instance.findUniqueOrThrow({ where: { id: f.instanceId } })).imageTag).toBe("5.0.4");
      if (format === "restic") {
        // The dump taken at the stop served the rollback and is gone; nothing else lingers in final-dumps/.
        const finalDumps = path.join(f.options.backup.defaultDir, "final-dumps");
        expect(existsSync(finalDumps) ? readdirSync(finalDumps) : []).toEqual([]);
      }
      if (variant === "5.1.0-fault-migration") {
        const logs = (await db.operationLog.findMany({ where: { operationId: operation.id } })).map((l) => l.message);
        expect(logs).toContain("Restoring the database as it was at the stop (the dump taken inside the downtime).");
        // The second snapshot of an unchanged instance costs a small part of the first.
        const [second, first] = await db.backup.findMany({
          where: { instanceId: f.instanceId, trigger: "pre_upgrade", format: "restic" },
          orderBy: { startedAt: "desc" },
        });
        expect(second!.addedBytes! * 10n).toBeLessThan(first!.addedBytes!);
        await resticPolicy(false);
      }
    }, 300_000);
  }

  it("no write lost: a row saved during the backup's verification is still there after a failed migration's rollback", async () => {
    const before = await f.state();
    const operationId = await f.queue("5.1.0-fault-migration");
    const running = executeOperation(db, ring, operationId, f.options);
    // The backup is written (its id journaled) and now verifies, for seconds: the instance still serves users.
    for (;;) {
      const step = await db.operationStep.findFirstOrThrow({ where: { operationId, key: "backup" } });
      if ((step.intent as { backupId?: string } | null)?.backupId) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await rootSql(
      f.engine,
      f.mysql,
      "INSERT INTO experiments (title, date, userid) VALUES ('saved while the backup verified', CURDATE(), 1);",
      f.schema,
    );
    const recreate = await db.operationStep.findFirstOrThrow({ where: { operationId, key: "recreate" } });
    expect(recreate.state).toBe("pending"); // written before the stop, as a researcher's save would be
    expect(await running).toBe("rolled_back");
    const logs = (await db.operationLog.findMany({ where: { operationId }, orderBy: { at: "asc" } })).map(
      (l) => l.message,
    );
    expect(logs.some((l) => /^Dumped the database at the stop in \d+\.\d s/.test(l))).toBe(true);
    expect(logs).toContain("Restoring the database as it was at the stop (the dump taken inside the downtime).");
    const rows = await rootSql(
      f.engine,
      f.mysql,
      "SELECT COUNT(*) FROM experiments WHERE title = 'saved while the backup verified'",
      f.schema,
    );
    expect(rows).toEqual([["1"]]);
    // Everything else exactly as it was; the dump taken at the stop does not linger beside the restore point.
    await rootSql(
      f.engine,
      f.mysql,
      "DELETE FROM experiments WHERE title = 'saved while the backup verified';",
      f.schema,
    );
    expect(await f.state()).toEqual(before);
    const backup = await db.backup.findFirstOrThrow({
      where: { instanceId: f.instanceId, trigger: "pre_upgrade" },
      orderBy: { startedAt: "desc" },
    });
    expect(readdirSync(backup.location!).sort()).toEqual([
      "database.sql.gz.age",
      "manifest.json",
      "manifest.seal",
      "uploads.tar.gz.age",
    ]);
  }, 300_000);

  it("the database stopped mid-way: rolled back, the database started again, data exactly as it was", async () => {
    const before = await f.state();
    const operationId = await f.queue("5.1.0");
    const running = executeOperation(db, ring, operationId, f.options);
    // As soon as the new container runs (the old one stopped, the database dumped at the stop), the database goes down.
    for (;;) {
      const step = await db.operationStep.findFirstOrThrow({ where: { operationId, key: "recreate" } });
      if (step.state === "succeeded") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stopContainer(f.engine, f.mysql.container, 5);
    expect(await running).toBe("rolled_back");
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
    // Seen down either before eLabFTW was asked, or by eLabFTW itself: both say the database is the cause.
    expect(operation.error).toMatch(
      /^Wait for the database and eLabFTW: (The database container becoming healthy did not happen|\/healthcheck\.php answering ok did not happen within \d+ s: healthcheck\.php answered ko: eLabFTW cannot reach its database)/,
    );
    const logs = await db.operationLog.findMany({ where: { operationId }, orderBy: { at: "asc" } });
    expect(logs.map((l) => l.message).join("\n")).toMatch(/had stopped: started it again/);
    expect(await f.state()).toEqual(before);
  }, 300_000);

  it("of 50 simultaneous requests exactly one is accepted; it upgrades 5.0.4 to 5.1.0 with data and uploads intact", async () => {
    const before = await f.state();
    const attempts = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        requestUpgrade(db, f.actor, { instanceId: f.instanceId, version: "5.1.0" }, f.context),
      ),
    );
    const accepted = attempts.filter((a): a is PromiseFulfilledResult<string> => a.status === "fulfilled");
    // On a failure, say why the requests were refused.
    const reasons = attempts.flatMap((a) => (a.status === "rejected" ? [String((a.reason as Error).message)] : []));
    expect(accepted, [...new Set(reasons)].join(" | ")).toHaveLength(1);
    for (const a of attempts) {
      if (a.status === "rejected") expect(a.reason).toBeInstanceOf(OperationConflict);
    }
    console.log(`[upgrade] 50 simultaneous requests: ${accepted.length} accepted, ${50 - accepted.length} refused.`);

    const operationId = accepted[0]!.value;
    // A user's view of the downtime, asked for a real page every 100 ms from the instance's network.
    const probe = await startProbe(f.engine, f.run, f.mysql.network, "elabftw-web");
    await new Promise((r) => setTimeout(r, 500));
    expect(await executeOperation(db, ring, operationId, f.options)).toBe("succeeded");
    await new Promise((r) => setTimeout(r, 500));
    const seen = await downtimeFrom(f.engine, probe);
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
    const after = await f.state();
    expect(after.image).toBe("elabftw/elabimg:5.1.0");
    expect(after.schema).toBe(165);
    expect(after.running).toBe(true);
    expect(after.containers).toEqual([f.web]);
    expect(after.restartPolicy).toBe("unless-stopped");
    expect(after.networks).toEqual(before.networks);
    expect(after.uploads).toBe(before.uploads);
    const rows = await rootSql(f.engine, f.mysql, "SELECT title FROM experiments ORDER BY id", f.schema);
    expect(rows.flat()).toContain("before the upgrade");
    const health = await execCapture(f.engine, f.web, {
      cmd: ["curl", "-sk", "https://127.0.0.1:443/healthcheck.php"],
    });
    expect(health.stdout.trim()).toBe("ok");
    const result = operation.result as { commit: { downtimeMs: number; backupId: string; composeFile: string } };
    // The panel's figure is the one users lived: from the stop to real pages (not "Almost there!"), within 0.5 s.
    console.log(
      `[upgrade] downtime: panel ${result.commit.downtimeMs} ms, probe ${seen.ms} ms (${seen.samples} samples).`,
    );
    expect(Math.abs(result.commit.downtimeMs - seen.ms)).toBeLessThanOrEqual(500);
    await removeContainer(f.engine, probe, { force: true });
    const instance = await db.instance.findUniqueOrThrow({ where: { id: f.instanceId } });
    expect(instance).toMatchObject({ imageTag: "5.1.0", elabftwVersion: "5.1.0", activeOperationId: null });
    // Started by compose: its file names the new tag, comments and layout kept, the previous copy beside it.
    expect(result.commit.composeFile).toBe(f.composeFile);
    expect(readFileSync(f.composeFile, "utf8")).toBe(
      COMPOSE_FILE.replace("elabftw/elabimg:5.0.4 # pinned", "elabftw/elabimg:5.1.0 # pinned"),
    );
    const copies = readdirSync(path.dirname(f.composeFile)).filter((n) => n.startsWith("docker-compose.yml.before-"));
    expect(copies).toHaveLength(1);
    expect(readFileSync(path.join(path.dirname(f.composeFile), copies[0]!), "utf8")).toBe(COMPOSE_FILE);
    expect(statSync(f.composeFile).mode & 0o777).toBe(0o640);
    const audit = await db.auditEvent.findMany({ where: { action: { startsWith: "instance.upgrade" } } });
    expect(audit.map((a) => a.action)).toContain("instance.upgraded");
  }, 300_000);

  it("upgrades on across releases, 5.1.0 → 5.6.12 (schema 165 → 217), judged by that release's own closing line", async () => {
    const before = await f.state();
    expect(before.image).toBe("elabftw/elabimg:5.1.0");
    const { outcome, operation } = await upgrade("5.6.12");
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    const after = await f.state();
    expect(after).toMatchObject({ image: "elabftw/elabimg:5.6.12", schema: 217, running: true });
    expect(after.containers).toEqual([f.web]);
    expect(after.uploads).toBe(before.uploads);
    const rows = await rootSql(f.engine, f.mysql, "SELECT title FROM experiments ORDER BY id", f.schema);
    expect(rows.flat()).toContain("before the upgrade");
    const logs = (await db.operationLog.findMany({ where: { operationId: operation.id } })).map((l) => l.message);
    expect(logs).toContain("db:update: Updated to schema 217.");
    expect(logs.filter((l) => /^db:update: .*SCHEMA\d+\.SQL/.test(l))).toHaveLength(52);
    // The risk checks asked the database server itself: MySQL 8.0, older than 5.6.12's reference 8.4, said, and gone on.
    expect(logs.join("\n")).toMatch(/database server 8\.0\.40/);
    expect(logs.join("\n")).toMatch(
      /The database server is MySQL 8\.0\.40; eLabFTW 5\.6\.12's reference compose file runs MySQL 8\.4\..*Move to MySQL 8\.4/,
    );
    // The release has no net.elabftw.image-version label: the version is read from elabftw-version.
    const instance = await db.instance.findUniqueOrThrow({ where: { id: f.instanceId } });
    expect(instance).toMatchObject({ imageTag: "5.6.12", elabftwVersion: "5.6.12" });
    expect(readFileSync(f.composeFile, "utf8")).toBe(
      COMPOSE_FILE.replace("elabftw/elabimg:5.0.4 # pinned", "elabftw/elabimg:5.6.12 # pinned"),
    );
  }, 300_000);
});
