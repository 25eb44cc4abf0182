import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing, seal } from "../../lib/crypto";
import {
  execCapture,
  listContainers,
  inspectContainer,
  putArchive,
  removeContainer,
  startContainer,
  stopContainer,
  type DockerClient,
} from "../../lib/docker";
import { backupSteps, requestBackup, type BackupResults } from "../../lib/server/backups/create-backup";
import type { BackupManifest } from "../../lib/server/backups/restore-point";
import { memoryStepContext } from "../../lib/server/operations/journal";
import { ensureBackupIdentity } from "../../lib/server/backups/identity";
import { assignPolicy, createPolicy } from "../../lib/server/backups/policies";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { findBackupStatus } from "../../lib/server/backups/backup-status";
import { requestVerification } from "../../lib/server/backups/verify-backup";
import { requestRestore } from "../../lib/server/backups/restore-backup";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { instanceSecretsContext } from "../../lib/server/instances/instance-secrets";
import { observeInstance } from "../../lib/server/instances/observe";
import { executeOperation } from "../../lib/server/operations/execute";
import { TEST_SOCKET, testEngine } from "../support/docker";
import { rootSql, type TestDatabase } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { instanceFixture, type InstanceFixture } from "../support/instance-fixture";
import {
  comparableTree,
  liveTree,
  manifestAsLive,
  messyUploads,
  seedUploads,
  uploadRowsSql,
} from "../support/messy-uploads";
import { operatorWithKey } from "../support/operators";
import { englishText } from "../../lib/i18n/message";
import { verificationFailureReason } from "../../lib/server/backups/backup-status";

const ring = parseKeyRing(generateKeySpec());
const context = { ip: "10.0.0.7", userAgent: "vitest" };

/**
 * Restore points of a real instance on the test engine: written encrypted,
 * sealed, proven by loading them into a throw-away database; corruption and
 * failures are caught and leave nothing that looks like a backup.
 */
describe("backups and their verification", () => {
  const database = useFreshDatabase("backup", { migrated: true });
  let f: InstanceFixture | undefined;
  const work = mkdtempSync(path.join(tmpdir(), "paillasse-backups-"));
  const destination = path.join(work, "dest");
  const identityFile = path.join(work, "backup-identity.txt");
  let db: Db;
  let engine: DockerClient;
  let mysql: TestDatabase;
  let schema: string;
  let web: string;
  let instanceId: string;
  let actor: { id: string; email: string; securityKeyId: string };
  // Links of every kind, a hard link, awkward names, other owners and modes, old times; 7 rows, 4 of them through links or odd names.
  const uploads = messyUploads();
  const options = { owner: "vitest", backup: { identityFile, defaultDir: destination } };

  async function backup() {
    const operationId = await requestBackup(db, actor, { instanceId, trigger: "manual" }, context);
    const outcome = await executeOperation(db, ring, operationId, options);
    const row = await db.backup.findFirst({ where: { operationId } });
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId } });
    return { operationId, outcome, row, operation };
  }

  async function verify(backupId: string) {
    const operationId = await requestVerification(db, backupId, actor.id);
    const outcome = await executeOperation(db, ring, operationId, options);
    const row = await db.backup.findUniqueOrThrow({ where: { id: backupId } });
    return { outcome, row };
  }

  const leftovers = () =>
    readdirSync(destination, { recursive: true, encoding: "utf8" }).filter((p) => p.includes(".partial"));

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    engine = await testEngine();
    await ensureBackupIdentity(identityFile);
    f = await instanceFixture(db, ring, {
      label: "bkp",
      name: "backed-up",
      email: "backup@unit.example",
      image: "elabftw/elabimg:5.1.0",
      unitCode: "UMR9200",
      unitName: "Backups",
      hostName: "engine",
      inventoryUploadsSource: "uploads",
      engine,
      // Content with awkward strings, and uploads with their rows (as eLabFTW stores them).
      seedSql: [
        "INSERT INTO users (firstname, lastname, email, validated) VALUES ('Zoé','d''Arc','z@x',1);",
        "INSERT INTO experiments (title, body, date, userid) VALUES ('a),(b', 'it''s \\\\ (x)', CURDATE(), 1), ('émoji 🧪', NULL, CURDATE(), 1);",
        uploadRowsSql(uploads.rows),
      ],
      seed: ({ engine, web }) => seedUploads(engine, web, uploads.seeds),
    });
    ({ mysql, schema, web, instanceId, actor } = f);
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  let good: { id: string; location: string; manifest: BackupManifest };

  it("writes a sealed, encrypted restore point and proves it by loading it into a throw-away database", async () => {
    const { outcome, row, operation } = await backup();
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    expect(row).toMatchObject({
      status: "succeeded",
      trigger: "manual",
      schemaVersion: 165,
      uploadsFileCount: uploads.regularFiles,
    });
    const dir = row!.location!;
    expect(path.relative(destination, dir)).toMatch(/^UMR9200\/backed-up\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(readdirSync(dir).sort()).toEqual([
      "database.sql.gz.age",
      "manifest.json",
      "manifest.seal",
      "uploads.tar.gz.age",
    ]);
    expect(leftovers()).toEqual([]);

    const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as BackupManifest;
    expect(manifest).toMatchObject({
      format: "paillasse-backup/2",
      schema: 165,
      instance: { name: "backed-up", unit: "UMR9200" },
    });
    expect(manifest.database.tables).toMatchObject({
      users: 1,
      experiments: 2,
      uploads: uploads.rows.length,
      config: expect.any(Number),
    });
    // Every entry with its type, link target, size and SHA-256, owner, mode and time, as computed while
    // streaming, equal to what find(1) and sha256sum(1) see in the container.
    const live = await liveTree(engine, web);
    expect(manifestAsLive(manifest.uploads.files)).toEqual(
      Object.fromEntries(Object.entries(live).map(([p, { inode, ...e }]) => (void inode, [p, e]))),
    );
    expect(live["uploads/legacy/outside"]).toMatchObject({ type: "l", target: "../../../etc/hostname" });
    expect(manifest.uploads.files.find((f) => f.path === "uploads/ab/hard.pdf")).toMatchObject({
      type: "hardlink",
      target: "uploads/ab/abc123.pdf",
    });

    // Readable without the panel: age + gunzip (+ tar), with the panel's key file.
    const dump = execFileSync("sh", ["-c", `age -d -i "${identityFile}" "${dir}/database.sql.gz.age" | gunzip`]);
    expect(dump.toString()).toMatch(/-- Dump completed/);
    expect(dump.toString()).toContain("a),(b");
    const listing = execFileSync("sh", [
      "-c",
      `age -d -i "${identityFile}" "${dir}/uploads.tar.gz.age" | gunzip | tar --numeric-owner -tvf -`,
    ]);
    expect(listing.toString()).toMatch(/101\/101 +70000 .* uploads\/ab\/abc123\.pdf/);
    // No secret in the journal.
    const logs = await db.operationLog.findMany({ where: { operationId: operation.id } });
    expect(JSON.stringify(logs.map((l) => l.message))).not.toContain(mysql.userPassword);

    // Verified right after: loaded, compared, and the throw-away container removed.
    const verified = await db.backup.findUniqueOrThrow({ where: { id: row!.id } });
    expect(verified.verificationStatus).toBe("passed");
    expect(verified.verificationDetails).toMatchObject({
      compare: { schema: 165, uploadRows: uploads.rows.length },
      uploads: { files: uploads.regularFiles, links: 7 },
    });
    expect(JSON.stringify(verified.verificationDetails)).not.toMatch(/password/i);
    const verifyOp = await db.operation.findFirstOrThrow({ where: { kind: "verify" }, orderBy: { createdAt: "desc" } });
    expect(verifyOp.state).toBe("succeeded");
    expect(verifyOp.result).toMatchObject({
      compare: { tables: Object.keys(manifest.database.tables).length, schema: 165, uploadRows: uploads.rows.length },
    });
    expect(
      await listContainers(engine, {
        all: true,
        labels: ["net.paillasse.role=verify", `net.paillasse.instance=${instanceId}`],
      }),
    ).toEqual([]);
    good = { id: row!.id, location: dir, manifest };
  }, 240_000);

  it("catches a flipped bit, a swapped file and an edited manifest before loading anything", async () => {
    const file = path.join(good.location, "uploads.tar.gz.age");
    const original = readFileSync(file);
    try {
      const flipped = Buffer.from(original);
      flipped[Math.floor(flipped.length / 2)]! ^= 0x04;
      writeFileSync(file, flipped);
      const result = await verify(good.id);
      expect(result.outcome).toBe("failed");
      expect(result.row.verificationStatus).toBe("failed");
      expect(englishText(verificationFailureReason(result.row.verificationDetails)!)).toMatch(
        /uploads\.tar\.gz\.age is not the file that was written/,
      );
    } finally {
      writeFileSync(file, original);
    }
    // A database file swapped for another one.
    const dbFile = path.join(good.location, "database.sql.gz.age");
    const dbOriginal = readFileSync(dbFile);
    try {
      writeFileSync(dbFile, original);
      const result = await verify(good.id);
      expect(englishText(verificationFailureReason(result.row.verificationDetails)!)).toMatch(
        /database\.sql\.gz\.age is not the file/,
      );
    } finally {
      writeFileSync(dbFile, dbOriginal);
    }
    // A manifest edited to match altered files: its seal no longer matches.
    const manifestFile = path.join(good.location, "manifest.json");
    const text = readFileSync(manifestFile, "utf8");
    try {
      writeFileSync(manifestFile, text.replace('"users": 1', '"users": 2'));
      const result = await verify(good.id);
      expect(englishText(verificationFailureReason(result.row.verificationDetails)!)).toMatch(/manifest was modified/);
    } finally {
      writeFileSync(manifestFile, text);
    }
    // Put back, it verifies again.
    expect((await verify(good.id)).row.verificationStatus).toBe("passed");
  }, 240_000);

  it("an upload row served through a link out of the uploads tree, or a dangling one, fails the verification, named", async () => {
    await rootSql(
      engine,
      mysql,
      "INSERT INTO uploads (real_name, long_name, type, userid) VALUES ('o', 'legacy/outside', 'experiments', 1), ('d', 'legacy/dangling', 'experiments', 1);",
      schema,
    );
    try {
      const { row } = await backup();
      const verified = await db.backup.findUniqueOrThrow({ where: { id: row!.id } });
      expect(verified.verificationStatus).toBe("failed");
      expect(englishText(verificationFailureReason(verified.verificationDetails)!)).toMatch(
        /2 upload row\(s\) of the database have no file in the archive, e\.g\. legacy\/outside \(a link to outside the uploads directory, which the backup does not hold\), legacy\/dangling \(no such file\)/,
      );
    } finally {
      await rootSql(
        engine,
        mysql,
        "DELETE FROM uploads WHERE long_name IN ('legacy/outside', 'legacy/dangling');",
        schema,
      );
    }
  }, 240_000);

  it("catches content that does not match the manifest once decrypted (re-encrypted with the panel's own key)", async () => {
    // An attacker holding the recipient key could re-encrypt altered content and fix the file checksums,
    // but not the sealed manifest hash: simulate the strongest case by re-sealing a manifest with altered counts.
    const manifestFile = path.join(good.location, "manifest.json");
    const text = readFileSync(manifestFile, "utf8");
    const altered = text.replace(/"experiments": 2/, '"experiments": 5');
    const sha = createHash("sha256").update(altered).digest("hex");
    const sealFile = path.join(good.location, "manifest.seal");
    const sealText = readFileSync(sealFile, "utf8");
    try {
      writeFileSync(manifestFile, altered);
      writeFileSync(sealFile, seal(ring, sha, `backup:${good.id}:manifest`));
      await db.backup.update({ where: { id: good.id }, data: { manifestSha256: sha } });
      const result = await verify(good.id);
      expect(result.outcome).toBe("rolled_back");
      expect(englishText(verificationFailureReason(result.row.verificationDetails)!)).toMatch(
        /Row counts differ from the manifest in 1 table\(s\): experiments 2 instead of 5/,
      );
      expect(
        await listContainers(engine, {
          all: true,
          labels: ["net.paillasse.role=verify", `net.paillasse.instance=${instanceId}`],
        }),
      ).toEqual([]);
    } finally {
      writeFileSync(manifestFile, text);
      writeFileSync(sealFile, sealText);
      await db.backup.update({
        where: { id: good.id },
        data: { manifestSha256: createHash("sha256").update(text).digest("hex") },
      });
    }
    // Put back as written, it verifies again.
    expect((await verify(good.id)).row.verificationStatus).toBe("passed");
  }, 240_000);

  it("fails clearly, keeping nothing, when the database is stopped or refuses the password", async () => {
    await stopContainer(engine, mysql.container, 5);
    try {
      const stopped = await backup();
      expect(stopped.outcome).toBe("rolled_back");
      expect(stopped.operation.error).toMatch(/^Dump the database and archive the uploads: /);
      expect(stopped.row).toMatchObject({ status: "failed" });
      expect(stopped.row!.error).toMatch(/Dump the database/);
      expect(existsSync(stopped.row!.location!)).toBe(false);
      expect(leftovers()).toEqual([]);
    } finally {
      await startContainer(engine, mysql.container);
    }
    // A changed password (the stored one is now wrong).
    const row = await db.instance.findUniqueOrThrow({ where: { id: instanceId }, omit: { secretsEnc: false } });
    await db.instance.update({
      where: { id: instanceId },
      data: {
        secretsEnc: seal(ring, JSON.stringify({ dbPassword: "not-the-password" }), instanceSecretsContext(instanceId)),
      },
    });
    try {
      for (let i = 0; i < 60; i++) {
        if ((await execCapture(engine, mysql.container, { cmd: ["mysqladmin", "ping"] })).exitCode === 0) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const refused = await backup();
      expect(refused.operation.error).toMatch(/The database refused the panel: .*Access denied/);
      expect(existsSync(refused.row!.location!)).toBe(false);
      expect(leftovers()).toEqual([]);
      const audit = await db.auditEvent.findMany({ where: { action: "backup.failed" } });
      expect(audit.length).toBe(2);
      expect(JSON.stringify(audit.map((a) => a.reason))).not.toContain(mysql.userPassword);
    } finally {
      await db.instance.update({ where: { id: instanceId }, data: { secretsEnc: row.secretsEnc } });
    }
  }, 240_000);

  it("a backup cut short by a panel stop leaves no half restore point, and the next one works", async () => {
    const operationId = await requestBackup(db, actor, { instanceId, trigger: "scheduled" }, null);
    // Run the first step only, then "crash": the worker's lease expires with the step half-done.
    const [prepare] = backupSteps(db, ring, operationId, { instanceId, trigger: "scheduled" }, options.backup);
    const ctx = memoryStepContext<BackupResults>(operationId, {}, { log: async () => {}, progress: async () => {} });
    const prepared = (await prepare!.run(ctx)) as { partialDir: string };
    writeFileSync(path.join(prepared.partialDir, "database.sql.gz.age.partial"), randomBytes(1000));
    await db.operation.update({
      where: { id: operationId },
      data: {
        state: "running",
        startedAt: new Date(),
        leaseOwner: "dead",
        leaseExpiresAt: new Date(Date.now() - 1000),
      },
    });
    expect(await executeOperation(db, ring, operationId, options)).toBe("failed");
    expect(existsSync(prepared.partialDir)).toBe(false);
    const cut = await db.backup.findFirstOrThrow({ where: { operationId } });
    expect(cut.status).toBe("failed");
    expect((await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).activeOperationId).toBeNull();
    const next = await backup();
    expect(next.outcome).toBe("succeeded");
    expect(leftovers()).toEqual([]);
  }, 240_000);

  it("the status page's figures: last good backup, verification, sizes over time, failures first; scoped for correspondants", async () => {
    const status = await findBackupStatus(db, { id: actor.id, role: "operator" }, new Date());
    const mine = status.find((s) => s.instanceId === instanceId)!;
    expect(mine.lastSuccess).not.toBeNull();
    expect(mine.ageHours).toBeLessThan(1);
    expect(mine.lastVerification?.passed).toBe(true);
    expect(mine.sizes.length).toBeGreaterThanOrEqual(2);
    expect(mine.sizes.every((p) => p.databaseBytes > 0 && p.uploadsBytes > 0)).toBe(true);
    expect(
      mine.failures.some((f) =>
        /^Backup failed: Dump the database and archive the uploads: /.test(englishText(f.reason)),
      ),
    ).toBe(true);
    expect(mine.verdict).toBe("ok"); // the newest backup is good and verified
    // Two days later without a new backup, it is stale.
    const later = await findBackupStatus(db, { id: actor.id, role: "operator" }, new Date(Date.now() + 48 * 3600_000));
    expect(later.find((s) => s.instanceId === instanceId)?.verdict).toBe("stale");
    // A correspondant of another unit sees none of it.
    const outsider = await operatorWithKey(db, "outsider@unit.example", "correspondant");
    expect(await findBackupStatus(db, { id: outsider.id, role: "correspondant" }, new Date())).toEqual([]);
  });

  it("encrypts to the policy's extra recipients too: a unit's recovery key opens the backup without the panel", async () => {
    const recovery = await generateIdentity();
    const recoveryFile = path.join(work, "recovery-key.txt");
    writeFileSync(recoveryFile, `${recovery}\n`, { mode: 0o600 });
    const policyId = await createPolicy(
      db,
      actor,
      {
        name: "With recovery key",
        schedule: "30 2 * * *",
        timezone: "Europe/Paris",
        retentionDays: "60",
        keepLast: "7",
        destinationDir: path.join(work, "policy-dest"),
        extraRecipients: await identityToRecipient(recovery),
        verifyAfterBackup: "false",
      },
      context,
    );
    await assignPolicy(db, actor, instanceId, policyId, context);
    try {
      const { outcome, row } = await backup();
      expect(outcome).toBe("succeeded");
      expect(path.relative(path.join(work, "policy-dest"), row!.location!)).toMatch(/^UMR9200\/backed-up\//);
      expect(row!.verificationStatus).toBe("not_verified"); // this policy does not verify automatically
      const dump = execFileSync("sh", [
        "-c",
        `age -d -i "${recoveryFile}" "${row!.location}/database.sql.gz.age" | gunzip`,
      ]);
      expect(dump.toString()).toMatch(/-- Dump completed/);
    } finally {
      await assignPolicy(db, actor, instanceId, null, context);
    }
  }, 240_000);

  it("a host that drops the connection mid-stream fails the backup with the reason, leaving nothing behind", async () => {
    // 8 MiB more uploads, so that the archive is still streaming when the connection goes.
    const pack = tar.pack();
    pack.entry({ name: "uploads/zz/big.bin", mode: 0o640, uid: 101, gid: 101 }, randomBytes(8 << 20));
    pack.finalize();
    await putArchive(engine, web, "/elabftw", pack as unknown as Readable);
    // The host is reached through a relay that dies once 2 MiB have come back on one connection.
    const relay = path.join(work, "relay.sock");
    const sockets = new Set<Socket>();
    let cut = false;
    const server = createServer((client) => {
      const upstream = connect(TEST_SOCKET);
      let down = 0;
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("error", () => undefined);
      }
      upstream.on("data", (chunk: Buffer) => {
        down += chunk.length;
        if (!cut && down > 2 << 20) {
          cut = true;
          server.close();
          for (const s of sockets) s.destroy();
        }
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(relay, resolve));
    const hosts = await db.instance.findUniqueOrThrow({
      where: { id: instanceId },
      select: { webHostId: true, databaseHostId: true },
    });
    const flaky = await createHost(db, ring, actor, { kind: "socket", name: "flaky", socketPath: relay }, context);
    await db.instance.update({ where: { id: instanceId }, data: { webHostId: flaky, databaseHostId: flaky } });
    try {
      const { outcome, operation, row } = await backup();
      expect(cut).toBe(true);
      expect(outcome).toBe("rolled_back");
      expect(operation.error).toMatch(
        /^Dump the database and archive the uploads: .*flaky \(unix:\/\/.*relay\.sock\)( was cut|\.)/,
      );
      expect(row).toMatchObject({ status: "failed" });
      expect(existsSync(row!.location!)).toBe(false);
      expect(leftovers()).toEqual([]);
    } finally {
      server.close();
      await db.instance.update({ where: { id: instanceId }, data: hosts });
      await execCapture(engine, web, { cmd: ["rm", "-rf", "/elabftw/uploads/zz"] });
    }
  }, 240_000);

  it("backs up, verifies and restores an external database through a throw-away client container on the web host", async () => {
    const placement = await db.instance.findUniqueOrThrow({
      where: { id: instanceId },
      select: { databasePlacement: true, databaseHostId: true, databaseContainerName: true, databaseAddress: true },
    });
    // The same server, now seen as one the panel does not manage: reached as eLabFTW reaches it ("mysql").
    await db.instance.update({
      where: { id: instanceId },
      data: {
        databasePlacement: "external",
        databaseHostId: null,
        databaseContainerName: null,
        databaseAddress: "mysql",
      },
    });
    try {
      const { outcome, operation, row } = await backup();
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");
      expect(row).toMatchObject({ status: "succeeded", verificationStatus: "passed" });
      const logs = await db.operationLog.findMany({ where: { operationId: operation.id } });
      expect(logs.map((l) => l.message).join("\n")).toMatch(
        /from the external server mysql:3306 .*throw-away mysql:8\.0 container/,
      );
      const dump = execFileSync("sh", [
        "-c",
        `age -d -i "${identityFile}" "${row!.location}/database.sql.gz.age" | gunzip`,
      ]);
      expect(dump.toString()).toContain("a),(b");
      // And back: a restore onto the external server (eLabFTW stopped meanwhile) through the same client.
      await rootSql(
        engine,
        mysql,
        "INSERT INTO experiments (title, date, userid) VALUES ('after the external backup', CURDATE(), 1);",
        schema,
      );
      const restoreId = await requestRestore(db, actor, row!.id, context);
      const restored = await executeOperation(db, ring, restoreId, {
        ...options,
        backup: { ...options.backup, healthTimeoutMs: 30_000 },
      } as never);
      const restoreOp = await db.operation.findUniqueOrThrow({ where: { id: restoreId } });
      expect(restoreOp.error).toBeNull();
      expect(restored).toBe("succeeded");
      const titles = (await rootSql(engine, mysql, "SELECT title FROM experiments", schema)).flat();
      expect(titles).toContain("a),(b");
      expect(titles).not.toContain("after the external backup");
      const helpers = await listContainers(engine, { all: true, labels: ["net.paillasse.helper=database-client"] });
      expect(helpers).toEqual([]);
    } finally {
      await db.instance.update({ where: { id: instanceId }, data: placement });
    }
  }, 240_000);

  it("a destination that fills up fails the backup with the reason, leaving nothing behind", async () => {
    const small = path.join(work, "small-disk");
    mkdirSync(small, { recursive: true });
    // 64 KiB: less than the uploads (random data does not compress), more than the dump.
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", small]);
    try {
      const policyId = await createPolicy(
        db,
        actor,
        {
          name: "Tiny disk",
          schedule: "30 2 * * *",
          timezone: "Europe/Paris",
          retentionDays: "60",
          keepLast: "7",
          destinationDir: small,
          extraRecipients: "",
          verifyAfterBackup: "false",
        },
        context,
      );
      await assignPolicy(db, actor, instanceId, policyId, context);
      const { outcome, operation, row } = await backup();
      expect(outcome).toBe("rolled_back");
      expect(operation.error).toMatch(/^Dump the database and archive the uploads: .*(ENOSPC|no space left)/i);
      expect(row).toMatchObject({ status: "failed" });
      expect(
        readdirSync(small, { recursive: true, encoding: "utf8" }).filter((p) => /\.(age|json|seal|partial)/.test(p)),
      ).toEqual([]);
    } finally {
      await assignPolicy(db, actor, instanceId, null, context);
      execFileSync("umount", [small]);
    }
  }, 240_000);

  describe("restore", () => {
    const tables = ["config", "experiments", "items", "teams", "uploads", "users"];
    async function checksums(): Promise<Record<string, string>> {
      const rows = await rootSql(engine, mysql, `CHECKSUM TABLE ${tables.join(", ")}`, schema);
      return Object.fromEntries(rows.map(([t, c]) => [t!.split(".").pop()!, c!]));
    }
    const liveUploads = async () => comparableTree(await liveTree(engine, web));
    /** The tables as the good backup holds them (read after its first restore). */
    let atGood: Record<string, string>;
    async function expectAsGoodBackup() {
      expect(await checksums()).toEqual(atGood);
      const restored = await liveUploads();
      expect(
        Object.fromEntries(Object.entries(restored).map(([p, { sameFileAs, ...e }]) => (void sameFileAs, [p, e]))),
      ).toEqual(manifestAsLive(good.manifest.uploads.files));
      const health = await execCapture(engine, web, { cmd: ["curl", "-sk", "https://127.0.0.1/healthcheck.php"] });
      expect(health.stdout).toBe("ok");
    }
    async function restore(backupId: string) {
      const operationId = await requestRestore(db, actor, backupId, context);
      const outcome = await executeOperation(db, ring, operationId, {
        ...options,
        backup: { ...options.backup, healthTimeoutMs: 30_000 },
      } as never);
      const operation = await db.operation.findUniqueOrThrow({
        where: { id: operationId },
        include: { steps: { orderBy: { position: "asc" } } },
      });
      return { outcome, operation };
    }
    async function changeEverything() {
      await rootSql(
        engine,
        mysql,
        "INSERT INTO experiments (title, date, userid) VALUES ('after the backup', CURDATE(), 1); DELETE FROM users; UPDATE config SET conf_value = 'x' WHERE conf_name = 'smtp_host';",
        schema,
      );
      await execCapture(engine, web, {
        cmd: [
          "sh",
          "-c",
          [
            "cd /elabftw/uploads",
            "echo changed > ab/abc123.pdf",
            "echo new > new.txt",
            "rm cd/cdef.txt legacy/dangling",
            "ln -sfn ../zero.bin 'legacy/latest results.csv'",
            "rmdir empty",
            "chmod 600 zero.bin",
            "chown 0:0 odd",
          ].join(" && "),
        ],
      });
    }

    it("puts the database and the uploads back exactly as backed up, after a safety backup of the current state", async () => {
      const atBackup = await checksums();
      const uploadsAtBackup = await liveUploads();
      await changeEverything();
      expect(await liveUploads()).not.toEqual(uploadsAtBackup);
      const changed = await checksums();
      expect(changed.experiments).not.toBe(atBackup.experiments);

      const { outcome, operation } = await restore(good.id);
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");
      expect(operation.steps.map((s) => s.state)).toEqual(Array(8).fill("succeeded"));
      expect(await checksums()).toEqual(atBackup);
      atGood = atBackup;
      // The tree exactly as the backup holds it: types, link targets, bytes, owners, modes, times; the hard link one file.
      const restored = await liveUploads();
      expect(
        Object.fromEntries(Object.entries(restored).map(([p, { sameFileAs, ...e }]) => (void sameFileAs, [p, e]))),
      ).toEqual(manifestAsLive(good.manifest.uploads.files));
      expect(restored["uploads/ab/hard.pdf"]!.sameFileAs).toEqual(["uploads/ab/abc123.pdf"]);
      const owners = await execCapture(engine, web, {
        cmd: ["sh", "-c", "stat -c '%u:%g' /elabftw/uploads/ab/abc123.pdf"],
      });
      expect(owners.stdout.trim()).toBe("101:101");
      // The safety backup holds the state that was replaced.
      const safetyBackup = await db.backup.findFirstOrThrow({
        where: { trigger: "pre_restore" },
        orderBy: { createdAt: "desc" },
      });
      expect(safetyBackup.status).toBe("succeeded");
      const safetyManifest = JSON.parse(
        readFileSync(path.join(safetyBackup.location!, "manifest.json"), "utf8"),
      ) as BackupManifest;
      expect(safetyManifest.database.tables).toMatchObject({ experiments: 3, users: 0 });
      expect(safetyManifest.uploads.files.map((f) => f.path)).toContain("uploads/new.txt");
    }, 300_000);

    it("restores from nothing: a dropped database, an empty one, emptied uploads with the web container stopped, the database container stopped, then removed with its data", async () => {
      const safetyBackups = () => db.backup.count({ where: { trigger: "pre_restore" } });
      const before = await safetyBackups();
      // 1. The database dropped: the required schema comes from the image's release, no safety backup (nothing to save).
      await rootSql(engine, mysql, `DROP DATABASE ${schema}`);
      let { outcome, operation } = await restore(good.id);
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");
      let logs = (await db.operationLog.findMany({ where: { operationId: operation.id } })).map((l) => l.message);
      expect(logs).toContain(
        `No safety backup: the database ${schema} does not exist or holds no table, so there is no current state to save. The uploads now on the volume are replaced by the backup's without a copy.`,
      );
      expect(
        logs.some((l) => /the image requires 165 \(from eLabFTW 5\.1\.0 \(the panel's table of releases\)\)/.test(l)),
      ).toBe(true);
      expect(await safetyBackups()).toBe(before);
      await expectAsGoodBackup();

      // 2. An empty database (re-created by hand, no table), and the uploads emptied while the web container is stopped.
      await rootSql(engine, mysql, `DROP DATABASE ${schema}; CREATE DATABASE ${schema};`);
      await execCapture(engine, web, { cmd: ["sh", "-c", "find /elabftw/uploads -mindepth 1 -delete"] });
      await stopContainer(engine, web, 5);
      ({ outcome, operation } = await restore(good.id));
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");
      logs = (await db.operationLog.findMany({ where: { operationId: operation.id } })).map((l) => l.message);
      expect(logs.some((l) => l.endsWith("is not running; it is started at the end of the restore."))).toBe(true);
      expect(await safetyBackups()).toBe(before);
      await expectAsGoodBackup();

      // 3. The database container stopped by hand: started, and its data saved first (a real safety backup).
      await stopContainer(engine, mysql.container, 5);
      ({ outcome, operation } = await restore(good.id));
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");
      logs = (await db.operationLog.findMany({ where: { operationId: operation.id } })).map((l) => l.message);
      expect(logs).toContain(`Started the database container ${mysql.container}, which was stopped.`);
      expect(await safetyBackups()).toBe(before + 1);
      await expectAsGoodBackup();

      // 4. The database container removed with its data: re-created from the definition the last observation
      // recorded (image, environment, network alias), initialised, the database made, the dump loaded.
      await observeInstance(db, ring, instanceId);
      await removeContainer(engine, mysql.container, { force: true, volumes: true });
      ({ outcome, operation } = await restore(good.id));
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");
      logs = (await db.operationLog.findMany({ where: { operationId: operation.id } })).map((l) => l.message);
      expect(logs).toContain(
        `Re-created the database container ${mysql.container}, which no longer existed, from its last known definition (mysql:8.0, its volumes, networks and environment).`,
      );
      expect(logs.some((l) => l.startsWith("No safety backup: "))).toBe(true);
      expect(await safetyBackups()).toBe(before + 1);
      await expectAsGoodBackup();
      // The same alias on the same network: eLabFTW finds it by name, as before.
      const recreated = await inspectContainer(engine, mysql.container);
      expect(recreated.networks[mysql.network]?.aliases).toContain("mysql");
    }, 300_000);

    it("refuses a backup whose schema is newer than the image before touching anything", async () => {
      await rootSql(engine, mysql, "UPDATE config SET conf_value = '999' WHERE conf_name = 'schema';", schema);
      let ahead: string;
      try {
        const taken = await backup();
        expect(taken.outcome).toBe("succeeded");
        ahead = taken.row!.id;
      } finally {
        await rootSql(engine, mysql, "UPDATE config SET conf_value = '165' WHERE conf_name = 'schema';", schema);
      }
      const before = await checksums();
      const { outcome, operation } = await restore(ahead);
      expect(outcome).toBe("failed");
      expect(operation.error).toMatch(/schema \(999\) is newer than the one the image requires \(165\)/);
      expect(operation.steps.slice(1).every((s) => s.state === "skipped")).toBe(true);
      expect(await checksums()).toEqual(before);
      expect((await execCapture(engine, web, { cmd: ["true"] })).exitCode).toBe(0); // still running
    }, 300_000);

    it("puts the safety backup back when a step fails midway, and says so", async () => {
      await changeEverything();
      const before = await checksums();
      const uploadsBefore = await liveUploads();
      const archive = path.join(good.location, "uploads.tar.gz.age");
      const hidden = `${archive}.hidden`;
      const { renameSync } = await import("node:fs");
      renameSync(archive, hidden);
      try {
        const { outcome, operation } = await restore(good.id);
        expect(outcome).toBe("rolled_back");
        expect(operation.error).toMatch(/^Put the uploads back: /);
        expect(Object.fromEntries(operation.steps.map((s) => [s.key, s.state]))).toMatchObject({
          stop: "compensated",
          database: "compensated",
          uploads: "failed",
          start: "skipped",
        });
        const logs = await db.operationLog.findMany({ where: { operationId: operation.id } });
        expect(logs.map((l) => l.message)).toEqual(
          expect.arrayContaining([
            "Putting the safety backup's database back.",
            "Putting the safety backup's uploads back.",
          ]),
        );
      } finally {
        renameSync(hidden, archive);
      }
      expect(await checksums()).toEqual(before);
      expect(await liveUploads()).toEqual(uploadsBefore);
      const health = await execCapture(engine, web, {
        cmd: ["curl", "-sk", "https://127.0.0.1/healthcheck.php"],
      });
      expect(health.stdout).toBe("ok");
    }, 300_000);
  });
});
