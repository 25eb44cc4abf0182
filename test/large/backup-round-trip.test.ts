import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { execCapture, removeVolume, type DockerClient } from "../../lib/docker";
import { requestBackup } from "../../lib/server/backups/create-backup";
import { ensureBackupIdentity } from "../../lib/server/backups/identity";
import { requestRestore } from "../../lib/server/backups/restore-backup";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { removeTestContainers, testEngine, uniqueName } from "../support/docker";
import { freshSchema, init, rootSql, startDatabase, startWeb, type TestDatabase } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { adoptOnTestEngine } from "../support/instances";

const UPLOADS_MIB = Number(process.env.LARGE_UPLOADS_MIB ?? 1100);
const ring = parseKeyRing(generateKeySpec());
const context = { ip: "10.0.0.7", userAgent: "vitest" };

/**
 * `npm run test:large`: an empty instance, then the same instance with more
 * than 1 GiB of uploads, each backed up (verified by the throw-away load),
 * changed, and restored: the database equal table by table (CHECKSUM TABLE)
 * and every upload equal by SHA-256.
 */
describe("backup round trips at full size", () => {
  const database = useFreshDatabase("backup_large", { migrated: true });
  const run = uniqueName("bkl");
  const work = mkdtempSync(path.join(tmpdir(), "paillasse-large-"));
  const options = {
    owner: "vitest",
    backup: {
      identityFile: path.join(work, "identity.txt"),
      defaultDir: path.join(work, "dest"),
      healthTimeoutMs: 60_000,
    },
  };
  const tables = ["config", "experiments", "items", "teams", "uploads", "users"];
  let db: Db;
  let engine: DockerClient;
  let mysql: TestDatabase;
  let schema: string;
  let web: string;
  let instanceId: string;
  let actor: { id: string; email: string; securityKeyId: string };

  const checksums = async () =>
    Object.fromEntries(
      (await rootSql(engine, mysql, `CHECKSUM TABLE ${tables.join(", ")}`, schema)).map(([t, c]) => [
        t!.split(".").pop()!,
        c!,
      ]),
    );
  const uploads = async () =>
    (
      await execCapture(engine, web, {
        cmd: ["sh", "-c", "cd /elabftw && find uploads -type f -exec sha256sum {} + | sort"],
        maxBytes: 16 << 20,
      })
    ).stdout;

  async function roundTrip() {
    const before = { tables: await checksums(), files: await uploads() };
    const backupOp = await requestBackup(db, actor, { instanceId, trigger: "manual" }, context);
    expect(await executeOperation(db, ring, backupOp, options)).toBe("succeeded");
    const backup = await db.backup.findFirstOrThrow({ where: { operationId: backupOp } });
    expect(backup.verificationStatus).toBe("passed");
    // Change everything, then restore.
    await rootSql(
      engine,
      mysql,
      "DELETE FROM experiments; DELETE FROM users; INSERT INTO experiments (title, date, userid) VALUES ('after the backup', CURDATE(), 1);",
      schema,
    );
    await execCapture(engine, web, { cmd: ["sh", "-c", "rm -rf /elabftw/uploads/* && echo x > /elabftw/uploads/new"] });
    expect(await checksums()).not.toEqual(before.tables);
    const restoreOp = await requestRestore(db, actor, backup.id, context);
    const outcome = await executeOperation(db, ring, restoreOp, options as never);
    const operation = await db.operation.findUniqueOrThrow({ where: { id: restoreOp } });
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    expect(await checksums()).toEqual(before.tables);
    expect(await uploads()).toBe(before.files);
    return backup;
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    engine = await testEngine();
    await ensureBackupIdentity(options.backup.identityFile);
    mysql = await startDatabase(engine, run);
    schema = await freshSchema(engine, mysql);
    web = await startWeb(engine, run, mysql, {
      image: "elabftw/elabimg:5.1.0",
      database: schema,
      secretKey: "def00000" + "c".repeat(120),
      uploadsVolume: `${run}-uploads`,
    });
    expect((await init(engine, web, "db:install")).exitCode).toBe(0);
    ({ actor, instanceId } = await adoptOnTestEngine(db, ring, context, {
      email: "large@unit.example",
      role: "operator",
      unit: { code: "UMR0001", name: "Large" },
      name: "large",
      web,
      mysql,
      schema,
      uploads: `${run}-uploads`,
    }));
  });

  afterAll(async () => {
    if (engine) await removeTestContainers(engine, run);
    if (engine) await removeVolume(engine, `${run}-uploads`).catch(() => undefined);
    await db?.$disconnect();
  });

  it("an empty instance (no experiment, no upload) comes back as it was", async () => {
    const backup = await roundTrip();
    expect(backup.uploadsFileCount).toBe(0);
  });

  it(`an instance with ${UPLOADS_MIB} MiB of uploads comes back byte for byte`, async () => {
    // Files of 64 MiB, plus odd sizes around age's 64 KiB chunks and gzip's 1 MiB blocks.
    const big = Math.ceil(UPLOADS_MIB / 64);
    await execCapture(engine, web, {
      cmd: [
        "sh",
        "-c",
        `i=0; while [ $i -lt ${big} ]; do d=/elabftw/uploads/$((i % 8)); mkdir -p $d; dd if=/dev/urandom of=$d/f$i.bin bs=1M count=64 status=none; i=$((i+1)); done; ` +
          `for n in 0 1 65535 65536 65537 1048575 1048576 1048577; do head -c $n /dev/urandom > /elabftw/uploads/odd-$n; done; ` +
          `chown -R 101:101 /elabftw/uploads`,
      ],
    });
    await rootSql(
      engine,
      mysql,
      "INSERT INTO experiments (title, body, date, userid) SELECT CONCAT('exp ', seq), REPEAT(TO_BASE64(RANDOM_BYTES(512)), 20), CURDATE(), 1 FROM seq_1_to_5000;",
      schema,
    );
    const backup = await roundTrip();
    expect(Number(backup.uploadsBytes)).toBeGreaterThan(Math.max(UPLOADS_MIB * 1024 * 1024, 2 ** 30));
    expect(backup.uploadsFileCount).toBe(big + 8);
  });
});
