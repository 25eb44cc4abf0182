import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { requestBackup } from "../../lib/server/backups/create-backup";
import { ensureBackupIdentity } from "../../lib/server/backups/identity";
import { assignPolicy, createPolicy } from "../../lib/server/backups/policies";
import { requestVerification } from "../../lib/server/backups/verify-backup";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { createRepository, loadRepository, setPolicyRepository } from "../../lib/server/repositories/repositories";
import { recoveryKit, repositoryFromKit } from "../../lib/server/repositories/recovery-kit";
import { listRecoverable, requestRecover } from "../../lib/server/recover/recover-instance";
import { checkRepositoriesInFull } from "../../lib/server/repositories/full-check";
import { openInstanceSecrets } from "../../lib/server/instances/instance-secrets";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { createUnit } from "../../lib/server/units/manage-units";
import { operatorWithKey } from "../support/operators";
import { TEST_LABEL, TEST_SOCKET } from "../support/docker";
import { listSnapshots, readSnapshotText, SNAPSHOT_INSTANCE } from "../../lib/server/repositories/snapshots";
import { englishText } from "../../lib/i18n/message";
import { findBackupStatus, verificationFailureReason } from "../../lib/server/backups/backup-status";
import { collectMetrics } from "../../lib/server/metrics/metrics";
import { rootSql } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { instanceFixture, type InstanceFixture } from "../support/instance-fixture";
import { comparableTree, liveTree, messyUploads, seedUploads, uploadRowsSql } from "../support/messy-uploads";
import { requestRestore } from "../../lib/server/backups/restore-backup";
import { pruneBackups } from "../../lib/server/backups/retention";
import { runRestic } from "../../lib/server/repositories/restic";
import { execCapture, inspectContainer, runToCompletion, type DockerClient } from "../../lib/docker";
import { startSecondEngine } from "../support/second-engine";
import { generateSshKeyPair } from "../../lib/server/repositories/ssh-keys";

const ring = parseKeyRing(generateKeySpec());
const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));

/**
 * A policy with a restic repository: the backup operation writes one snapshot (dump, uploads,
 * instance.json) on the instance's host, a second one costs what changed, the verification proves
 * it by a sample and a partial read-back, and finds a damaged pack.
 */
describe("backups into a restic repository", () => {
  const database = useFreshDatabase("resticbackup", { migrated: true });
  const empty = useFreshDatabase("recoverempty", { migrated: true });
  let f: InstanceFixture | undefined;
  const work = mkdtempSync(path.join(tmpdir(), "paillasse-restic-"));
  const repoDir = path.join(work, "repository");
  const offsiteDir = path.join(work, "offsite");
  let policyId: string;
  const identityFile = path.join(work, "backup-identity.txt");
  const options = { owner: "vitest", backup: { identityFile, defaultDir: path.join(work, "files") } };
  const uploads = messyUploads();
  const composeDir = path.join(work, "srv", "elabftw");
  const composeFile = path.join(composeDir, "docker-compose.yml");
  const COMPOSE_TEXT = `# The unit's eLabFTW
services:
  web:
    image: elabftw/elabimg:5.1.0
    environment:
      - SITE_URL=https://elab.unit.example # the address users type
  mysql:
    image: mysql:8.0
`;
  let db: Db;
  let repositoryId: string;

  async function backup() {
    const operationId = await requestBackup(db, f!.actor, { instanceId: f!.instanceId, trigger: "manual" }, f!.context);
    const outcome = await executeOperation(db, ring, operationId, { ...options, verifyAfterBackup: false });
    const operation = await db.operation.findUniqueOrThrow({ where: { id: operationId }, include: { steps: true } });
    expect(operation.error).toBeNull();
    const row = await db.backup.findFirstOrThrow({ where: { operationId } });
    return { outcome, row, operation };
  }

  /** A backup that may fail: how it ended and the operation's row. */
  async function attemptBackup() {
    const operationId = await requestBackup(db, f!.actor, { instanceId: f!.instanceId, trigger: "manual" }, f!.context);
    const outcome = await executeOperation(db, ring, operationId, { ...options, verifyAfterBackup: false });
    return { outcome, operation: await db.operation.findUniqueOrThrow({ where: { id: operationId } }) };
  }

  async function verify(backupId: string, extra: { readDataCycle?: number } = {}) {
    const operationId = await requestVerification(db, backupId, f!.actor.id);
    const outcome = await executeOperation(db, ring, operationId, {
      ...options,
      backup: { ...options.backup, ...extra },
    });
    const logs = await db.operationLog.findMany({ where: { operationId }, orderBy: { id: "asc" } });
    return { outcome, row: await db.backup.findUniqueOrThrow({ where: { id: backupId } }), logs };
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    await ensureBackupIdentity(identityFile);
    // Started by docker compose, as most installs are: its file goes into instance.json.
    mkdirSync(composeDir, { recursive: true });
    writeFileSync(composeFile, COMPOSE_TEXT);
    f = await instanceFixture(db, ring, {
      label: "rbk",
      name: "deduplicated",
      image: "elabftw/elabimg:5.1.0",
      unitCode: "UMR9300",
      web: {
        labels: {
          "com.docker.compose.project": "elab",
          "com.docker.compose.project.working_dir": composeDir,
          "com.docker.compose.project.config_files": composeFile,
          "com.docker.compose.service": "web",
        },
      },
      seedSql: [
        "INSERT INTO experiments (title, body, date, userid) VALUES ('<h1>Protocole</h1>', '<p>Incubation à 37&nbsp;°C</p>', CURDATE(), 1);",
        uploadRowsSql(uploads.rows),
      ],
      seed: ({ engine, web }) => seedUploads(engine, web, uploads.seeds),
    });
    ({ id: repositoryId } = await createRepository(
      db,
      ring,
      f.actor,
      { kind: "host_directory", name: "UMR9300 filer", hostId: f.hostId, location: repoDir },
      f.context,
    ));
    policyId = await createPolicy(
      db,
      f.actor,
      {
        name: "restic daily",
        schedule: "30 2 * * *",
        timezone: "Europe/Paris",
        retentionDays: 60,
        keepLast: 7,
        destinationDir: path.join(work, "files"),
      },
      f.context,
    );
    await db.backupPolicy.update({ where: { id: policyId }, data: { repositoryId } });
    await assignPolicy(db, f.actor, f.instanceId, policyId, f.context);
  }, 240_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
    rmSync(work, { recursive: true, force: true });
  });

  let first: Awaited<ReturnType<typeof backup>>;
  let secondId: string;

  it("refuses a repository directory that is not on the host (an unmounted filer), and says what to do", async () => {
    const { outcome, operation } = await attemptBackup();
    expect(outcome).toBe("failed");
    expect(operation.error).toMatch(/The directory .*repository of repository UMR9300 filer does not exist on/);
    expect(await db.backup.count({ where: { instanceId: f!.instanceId } })).toBe(0);
    mkdirSync(repoDir);
  }, 120_000);

  let treeAtFirst: ReturnType<typeof comparableTree>;

  it("writes one snapshot tagged with the instance, holding instance.json with SECRET_KEY, and records what it cost", async () => {
    treeAtFirst = comparableTree(await liveTree(f!.engine, f!.web));
    // What `docker inspect` shows of the helpers while they run: whoever reads the host's API sees it.
    // (restic and the dump helper beside the database alike)
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const helpers = await f!.engine.api.listContainers({ filters: { label: ["net.paillasse.helper"] } });
        for (const h of helpers) {
          const details = await f!.engine.api
            .getContainer(h.Id)
            .inspect()
            .catch(() => null);
          if (details) seen.push(JSON.stringify(details));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    first = await backup();
    watching = false;
    await watcher;
    const password = (await loadRepository(db, ring, repositoryId)).secrets.password;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((s) => s.includes("RESTIC_REPOSITORY=/repository"))).toBe(true);
    expect(seen.filter((s) => s.includes(password))).toEqual([]);
    expect(first.operation.error).toBeNull();
    expect(first.outcome).toBe("succeeded");
    expect(first.operation.steps.map((s) => s.key).sort()).toEqual(["repository", "snapshot"]);
    expect(first.row).toMatchObject({
      status: "succeeded",
      format: "restic",
      repositoryId,
      schemaVersion: 165,
      location: null,
    });
    expect(first.row.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    // restic counts file names: the hard link is one more than the regular files.
    expect(first.row.uploadsFileCount).toBe(uploads.regularFiles + 1);
    expect(Number(first.row.addedBytes)).toBeGreaterThan(0);
    // The dump was written beside the database, into the staging volume: it did not pass through the
    // panel, which therefore counts its rows when the verification reads it back (next test).
    expect(seen.some((s) => s.includes('"net.paillasse.helper":"database-dump"'))).toBe(true);
    const firstLogs = await db.operationLog.findMany({ where: { operationId: first.operation.id } });
    expect(firstLogs.map((l) => l.message).join("\n")).toMatch(/written by paillasse-dump-[0-9a-f]+ on its network/);
    expect((first.row.contents as { tables: Record<string, number> | null }).tables).toBeNull();
    // Only restic's own layout in the directory: nothing of ours in clear.
    expect(readdirSync(repoDir).sort()).toEqual(["config", "data", "index", "keys", "locks", "snapshots"]);

    const repo = await loadRepository(db, ring, repositoryId);
    const snapshots = await listSnapshots(f!.engine, repo);
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.tags).toMatchObject({
      instance: "deduplicated",
      unit: "UMR9300",
      trigger: "manual",
      version: "5.1.0",
      schema: "165",
    });
    const described = JSON.parse(await readSnapshotText(f!.engine, repo, first.row.snapshotId!, SNAPSHOT_INSTANCE)) as {
      web: { createSpec: { Env: string[]; Image: string } };
      database: { createSpec: { Env: string[] } } | null;
    };
    expect(described.web.createSpec.Env).toContain(`SECRET_KEY=def00000${"e".repeat(120)}`);
    expect(described.web.createSpec.Image).toBe("elabftw/elabimg:5.1.0");
    expect(described.database?.createSpec.Env.some((e) => e.startsWith("MYSQL_ROOT_PASSWORD="))).toBe(true);
    // The secret is inside the encrypted snapshot only: not in the journal, not on the Backup row.
    const journal = json(await db.operationLog.findMany({ where: { operationId: first.operation.id } }));
    expect(journal).not.toContain("e".repeat(120));
    expect(json(first.operation)).not.toContain("e".repeat(120));
    expect(json(first.row)).not.toContain("e".repeat(120));
  }, 240_000);

  it("proves the snapshot: part of the repository read back, a sample of the files checked, the dump loaded and compared", async () => {
    const { outcome, row, logs } = await verify(first.row.id);
    expect(outcome).toBe("succeeded");
    expect(row.verificationStatus).toBe("passed");
    const text = logs.map((l) => l.message).join("\n");
    expect(text).toMatch(/part 1 of 12 of its data \(about \d+ MiB\) read back/);
    expect(text).toMatch(/uploaded files \(slice 1 of 7\) restored and checked/);
    expect(text).toMatch(/every one of the \d+ upload rows has its file/);
    // Counted on the way into the throw-away database, and recorded with the restore point.
    expect(text).toMatch(/The dump holds \d+ tables and \d+ rows\./);
    expect((row.contents as { tables: Record<string, number> }).tables.experiments).toBe(1);
  }, 240_000);

  it("refuses a wrong repository with a sentence that says what to write, and changes nothing", async () => {
    const before = await db.backupRepository.count();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: "ftp", name: "x", location: "/srv" }, /Choose the kind of repository/],
      [{ kind: "host_directory", name: "x", hostId: f!.hostId, location: "srv/backups" }, /absolute path on the host/],
      [{ kind: "host_directory", name: "x", hostId: f!.hostId, location: "/etc/restic" }, /system directory/],
      [{ kind: "host_directory", name: "x", hostId: f!.hostId, location: "/srv/../etc" }, /without \. or \.\. parts/],
      [{ kind: "host_directory", name: "", hostId: f!.hostId, location: "/srv/b" }, /Give the repository a name/],
      [
        { kind: "rest", name: "x", location: "rest:https://u:secret@h:8000/r/", restUser: "u", restPassword: "p" },
        /user and password go in their own fields/,
      ],
      [{ kind: "s3", name: "x", location: "s3:https://h/b", accessKeyId: "", secretAccessKey: "k" }, /access key ID/],
      [
        { kind: "host_directory", name: "UMR9300 filer", hostId: f!.hostId, location: "/srv/other" },
        /A repository named UMR9300 filer already exists/,
      ],
      [
        { kind: "host_directory", name: "y", hostId: "00000000-0000-4000-8000-000000000000", location: "/srv/b" },
        /Docker host is not in the inventory/,
      ],
    ];
    for (const [input, message] of cases) {
      await expect(createRepository(db, ring, f!.actor, input as never, f!.context)).rejects.toThrow(message);
    }
    expect(await db.backupRepository.count()).toBe(before);
  });

  it("gives a recovery kit whose commands open the repository without the panel, and audits it without the secret", async () => {
    const kit = await recoveryKit(db, ring, f!.actor, repositoryId, f!.context);
    const repo = await loadRepository(db, ring, repositoryId);
    expect(kit.text).toContain(repo.secrets.password);
    expect(kit.fileName).toBe("paillasse-recovery-kit-UMR9300-filer.txt");
    // Run the kit's own export lines and restic command in a plain shell, on the repository's host.
    const exports = kit.text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("export "));
    const helper = await runToCompletion(f!.engine, {
      Image: "restic/restic:0.18.0",
      Entrypoint: ["sh", "-c", `${exports.join("\n")}\nrestic snapshots --tag instance=deduplicated --json --no-lock`],
      HostConfig: { Binds: [`${repoDir}:${repoDir}`], NetworkMode: "none" },
    });
    expect(helper.exitCode).toBe(0);
    expect((JSON.parse(helper.stdout) as { id: string }[]).map((s) => s.id)).toEqual([first.row.snapshotId]);
    const events = await db.auditEvent.findMany({ where: { action: "repository.recovery_kit" } });
    expect(events).toHaveLength(1);
    expect(json(events)).not.toContain(repo.secrets.password);
  }, 120_000);

  it("a second backup after small changes costs what changed, and the next verification checks the next slice", async () => {
    await execCapture(f!.engine, f!.web, {
      cmd: [
        "sh",
        "-c",
        "head -c 200000 /dev/urandom > /elabftw/uploads/ab/added.bin && echo more >> /elabftw/uploads/cd/cdef.txt",
      ],
    });
    await rootSql(f!.engine, f!.mysql, "UPDATE experiments SET body = '<p>Incubation à 42&nbsp;°C</p>';", f!.schema);
    // From now on the policy also copies each snapshot off site (another directory here).
    mkdirSync(offsiteDir);
    const { id: offsiteId } = await createRepository(
      db,
      ring,
      f!.actor,
      { kind: "host_directory", name: "UMR9300 other building", hostId: f!.hostId, location: offsiteDir },
      f!.context,
    );
    await expect(setPolicyRepository(db, f!.actor, policyId, repositoryId, f!.context, "offsite")).rejects.toThrow(
      /another repository than the primary one/,
    );
    await setPolicyRepository(db, f!.actor, policyId, offsiteId, f!.context, "offsite");
    const second = await backup();
    secondId = second.row.id;
    expect(second.outcome).toBe("succeeded");
    expect(second.operation.steps.map((s) => s.key).sort()).toEqual(["offsite", "repository", "snapshot"]);
    expect(second.row.offsiteRepositoryId).toBe(offsiteId);
    expect(second.row.offsiteCopiedAt).not.toBeNull();
    const offsite = await listSnapshots(f!.engine, await loadRepository(db, ring, offsiteId));
    expect(offsite.map((s) => s.id)).toEqual([second.row.offsiteSnapshotId]);
    expect(offsite[0]!.tags).toMatchObject({ instance: "deduplicated", trigger: "manual" });
    // Both places on the status page, and the copy's age in the metrics.
    const [status] = await findBackupStatus(db, { id: f!.actor.id, role: "admin" }, new Date());
    expect(status).toMatchObject({
      verdict: "ok",
      lastSuccess: { repository: "UMR9300 filer" },
      offsite: { repository: "UMR9300 other building" },
    });
    expect(status!.offsite!.lastAt).not.toBeNull();
    expect(status!.lastSuccess!.addedBytes).toBe(Number(second.row.addedBytes));
    const metrics = await collectMetrics(db, new Date(Date.now() + 60_000));
    expect(metrics).toMatch(
      /paillasse_instance_last_offsite_copy_age_seconds\{instance="deduplicated",unit="UMR9300",host="[^"]+",repository="UMR9300 other building"\} 6\d(\.\d+)?/,
    );
    expect(second.row.snapshotId).not.toBe(first.row.snapshotId);
    expect(second.row.uploadsFileCount).toBe(uploads.regularFiles + 2);
    // The 200 kB added file and a few changed chunks; the first had everything.
    expect(Number(second.row.addedBytes)).toBeLessThan(200_000 + 100_000);
    const journal = await db.operationLog.findMany({ where: { operationId: second.operation.id } });
    expect(journal.map((l) => l.message).join("\n")).toMatch(/1 new, \d+ changed and \d+ unchanged files/);
    const { outcome, logs } = await verify(second.row.id);
    expect(outcome).toBe("succeeded");
    const text = logs.map((l) => l.message).join("\n");
    expect(text).toMatch(/part 2 of 12/);
    expect(text).toMatch(/slice 2 of 7/);

    // The off-site place gone (an unmounted filer): the backup is still complete, the journal says so.
    rmSync(offsiteDir, { recursive: true, force: true });
    const third = await backup();
    expect(third.outcome).toBe("succeeded");
    expect(third.row.offsiteCopiedAt).toBeNull();
    const warned = await db.operationLog.findMany({ where: { operationId: third.operation.id, level: "warn" } });
    expect(warned.map((l) => l.message).join("\n")).toMatch(
      /The off-site copy failed: The directory .* of repository UMR9300 other building does not exist/,
    );
    // The last good copy two days old while the primary is fresh: stale all the same (what survives the building).
    const [fresh] = await findBackupStatus(db, { id: f!.actor.id, role: "admin" }, new Date());
    expect(fresh!.verdict).toBe("ok");
    await db.backup.update({
      where: { id: second.row.id },
      data: { offsiteCopiedAt: new Date(Date.now() - 48 * 3600_000) },
    });
    const [stale] = await findBackupStatus(db, { id: f!.actor.id, role: "admin" }, new Date());
    expect(stale!.verdict).toBe("stale");
    expect(Math.round(stale!.offsite!.ageHours!)).toBe(48);
  }, 240_000);

  it("restores the instance from the first snapshot: rows, uploads tree (links, owners, modes, times) and nothing added since", async () => {
    const restoreId = await requestRestore(db, f!.actor, first.row.id, f!.context);
    const outcome = await executeOperation(db, ring, restoreId, {
      ...options,
      backup: { ...options.backup, healthTimeoutMs: 30_000 },
    } as never);
    const operation = await db.operation.findUniqueOrThrow({ where: { id: restoreId } });
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    const bodies = (await rootSql(f!.engine, f!.mysql, "SELECT body FROM experiments", f!.schema)).flat();
    expect(bodies).toEqual(["<p>Incubation à 37&nbsp;°C</p>"]);
    const now = comparableTree(await liveTree(f!.engine, f!.web));
    expect(now["uploads/ab/added.bin"]).toBeUndefined();
    expect(Object.keys(now).sort()).toEqual(Object.keys(treeAtFirst).sort());
    for (const p of Object.keys(treeAtFirst)) expect({ p, ...now[p] }).toEqual({ p, ...treeAtFirst[p] });
  }, 300_000);

  it("recovers the instance on a second engine from its recovery kit, into a panel with an empty database", async () => {
    // What the instance holds now (the first snapshot's state, put back by the restore above).
    const tables = (
      await rootSql(
        f!.engine,
        f!.mysql,
        `SELECT table_name FROM information_schema.tables WHERE table_schema = '${f!.schema}' ORDER BY 1`,
      )
    ).map((r) => r[0]!);
    const checksums = async (engine: DockerClient) =>
      rootSql(engine, f!.mysql, `CHECKSUM TABLE ${tables.map((t) => `\`${t}\``).join(", ")}`, f!.schema);
    const before = await checksums(f!.engine);
    const treeBefore = comparableTree(await liveTree(f!.engine, f!.web));
    const webBefore = await inspectContainer(f!.engine, f!.web);
    const kit = await recoveryKit(db, ring, f!.actor, repositoryId, f!.context);

    // A freshly installed panel: its own database and master key; the old host and a new one (another
    // engine, where the same file server is mounted); the kit pasted.
    const ring2 = parseKeyRing(generateKeySpec());
    const db2 = createPrismaClient(empty.url);
    const engine2 = await startSecondEngine("recover", { addressPool: "10.215.0.0/16" });
    try {
      const admin = await operatorWithKey(db2, "recoverer@lab.example", "admin");
      const actor = { id: admin.id, email: admin.email, securityKeyId: admin.keyId };
      const addHost = (name: string, socketPath: string) =>
        createHost(db2, ring2, actor, { kind: "socket", name, socketPath }, f!.context);
      const oldHost = await addHost("old", TEST_SOCKET);
      const newHost = await addHost("rebuilt", engine2.socket);
      const unitId = (await createUnit(db2, actor, { code: "UMR9300", name: "Recovered unit" }, f!.context)).id;
      expect(() => repositoryFromKit("export RESTIC_REPOSITORY='/srv/x'\n")).toThrow(
        /no RESTIC_REPOSITORY and RESTIC_PASSWORD/,
      );
      const { id: repo2 } = await createRepository(db2, ring2, actor, repositoryFromKit(kit.text, newHost), f!.context);
      const points = await listRecoverable(db2, ring2, repo2, newHost);
      const point = points.find((p) => p.id === first.row.snapshotId)!;
      expect(point).toMatchObject({ instance: "deduplicated", unit: "UMR9300", version: "5.1.0" });
      const plan = { repositoryId: repo2, snapshotId: point.id, unitId, name: "deduplicated" };
      await expect(
        requestRecover(db2, actor, { ...plan, hostId: newHost, snapshotId: "not-hex" }, f!.context),
      ).rejects.toThrow(/Restore point must be a snapshot ID/);

      // Onto the old host, where the original still runs: nothing is taken over; refused, nothing created.
      const refusedId = await requestRecover(db2, actor, { ...plan, hostId: oldHost }, f!.context);
      expect(await executeOperation(db2, ring2, refusedId, { owner: "vitest" })).toBe("failed");
      expect((await db2.operation.findUniqueOrThrow({ where: { id: refusedId } })).error).toMatch(
        /already has a container named/,
      );
      expect((await inspectContainer(f!.engine, f!.web)).id).toBe(webBefore.id);
      expect(await db2.instance.count()).toBe(0);

      // The old server's disk is lost: its compose file with it. Onto the new engine, with the address users
      // will type there.
      rmSync(composeDir, { recursive: true });
      const operationId = await requestRecover(
        db2,
        actor,
        { ...plan, hostId: newHost, siteUrl: "https://rebuilt.lab.example" },
        f!.context,
      );
      const outcome = await executeOperation(db2, ring2, operationId, {
        owner: "vitest",
        backup: { healthTimeoutMs: 60_000 },
      });
      const operation = await db2.operation.findUniqueOrThrow({ where: { id: operationId } });
      expect(operation.error).toBeNull();
      expect(outcome).toBe("succeeded");

      const engine = engine2.client;
      const web = await inspectContainer(engine, f!.web);
      expect(web.env.SECRET_KEY).toBe(webBefore.env.SECRET_KEY);
      expect(web.env.SITE_URL).toBe("https://rebuilt.lab.example");
      // The compose file is back where it was, saying the new address, comments kept; the container is compose's again.
      expect(readFileSync(composeFile, "utf8")).toBe(
        COMPOSE_TEXT.replace("SITE_URL=https://elab.unit.example", "SITE_URL=https://rebuilt.lab.example"),
      );
      expect(web.labels).toMatchObject({
        "com.docker.compose.project.config_files": composeFile,
        "com.docker.compose.service": "web",
      });
      expect(await checksums(engine)).toEqual(before);
      const tree = comparableTree(await liveTree(engine, f!.web));
      expect(Object.keys(tree).sort()).toEqual(Object.keys(treeBefore).sort());
      for (const p of Object.keys(treeBefore)) expect({ p, ...tree[p] }).toEqual({ p, ...treeBefore[p] });

      const instance = await db2.instance.findUniqueOrThrow({ where: { name: "deduplicated" } });
      expect(instance).toMatchObject({ unitId, webHostId: newHost, webContainerId: web.id, state: "running" });
      const sealed = await db2.instance.findUniqueOrThrow({
        where: { id: instance.id },
        select: { id: true, secretsEnc: true },
      });
      expect(openInstanceSecrets(ring2, sealed).secretKey).toBe(webBefore.env.SECRET_KEY);
      expect(operation.instanceId).toBe(instance.id);
      const audit = await db2.auditEvent.findMany({ where: { action: { startsWith: "instance.recover" } } });
      expect(audit.map((e) => `${e.action} ${e.outcome}`).sort()).toEqual([
        "instance.recover success",
        "instance.recover success",
        "instance.recovered failure",
        "instance.recovered success",
      ]);
      expect(json(audit)).not.toContain(webBefore.env.SECRET_KEY!);
    } finally {
      await engine2.destroy();
      await db2.$disconnect();
    }
  }, 300_000);

  it("retention forgets and prunes old snapshots, a snapshot already gone included, and keeps the newest and the newest verified", async () => {
    // A second repository for the policy from now on: the instance's restore points are in two places.
    const otherDir = path.join(work, "repository-2");
    mkdirSync(otherDir);
    const { id: otherId } = await createRepository(
      db,
      ring,
      f!.actor,
      { kind: "host_directory", name: "UMR9300 filer 2", hostId: f!.hostId, location: otherDir },
      f!.context,
    );
    await setPolicyRepository(db, f!.actor, policyId, null, f!.context, "offsite");
    await db.backupPolicy.update({ where: { id: policyId }, data: { repositoryId: otherId } });
    const older = await backup();
    const newest = await backup();
    // The first snapshot was forgotten by hand in the meantime: the prune must not stop on it.
    const repo = await loadRepository(db, ring, repositoryId);
    const forgotten = await runRestic(f!.engine, repo, { args: ["forget", first.row.snapshotId!] });
    expect(forgotten.exitCode).toBe(0);
    await db.backupPolicy.update({ where: { id: policyId }, data: { retentionDays: 1, keepLast: 1 } });
    const pruned = await pruneBackups(db, f!.instanceId, new Date(Date.now() + 3 * 86_400_000), ring);
    expect(pruned).toEqual(expect.arrayContaining([first.row.id, older.row.id]));
    expect(pruned).not.toContain(newest.row.id);
    expect(pruned).not.toContain(secondId); // the newest verified restore point stays
    const rows = await db.backup.findMany({
      where: { id: { in: [first.row.id, older.row.id, newest.row.id, secondId] } },
    });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      [first.row.id]: "pruned",
      [older.row.id]: "pruned",
      [newest.row.id]: "succeeded",
      [secondId]: "succeeded",
    });
    const idsIn = async (id: string) =>
      (await listSnapshots(f!.engine, await loadRepository(db, ring, id))).map((s) => s.id);
    const kept = await db.backup.findUniqueOrThrow({ where: { id: secondId } });
    expect(await idsIn(repositoryId)).toEqual([kept.snapshotId]);
    expect(await idsIn(otherId)).toEqual([newest.row.snapshotId]);
  }, 240_000);

  it("a damaged pack in the repository is found by the read-back and by the scheduled full read, and reported", async () => {
    const lines: string[] = [];
    const full = (at: Date) =>
      checkRepositoriesInFull(db, ring, at, { log: (l) => lines.push(l), only: [repositoryId] });
    // Sound first: read in full once, then not again before 30 days.
    expect(await full(new Date())).toEqual({ checked: 1, damaged: [] });
    expect(await db.backupRepository.findUniqueOrThrow({ where: { id: repositoryId } })).toMatchObject({
      fullCheckOk: true,
      fullCheckError: null,
    });
    expect(await full(new Date(Date.now() + 86_400_000))).toEqual({ checked: 0, damaged: [] });
    expect(await collectMetrics(db)).toMatch(/paillasse_repository_damaged\{repository="UMR9300 filer"\} 0/);

    // Flip bytes in the middle of the largest pack file (what a failing disk or a bad copy does).
    const packs: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else packs.push(p);
      }
    };
    walk(path.join(repoDir, "data"));
    const largest = packs.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const bytes = readFileSync(largest);
    const middle = Math.floor(bytes.length / 2);
    for (let i = 0; i < 64; i++) bytes[middle + i] = bytes[middle + i]! ^ 0xff;
    writeFileSync(largest, bytes);
    const { outcome, row } = await verify(secondId, { readDataCycle: 1 });
    expect(outcome).toBe("failed");
    expect(row.verificationStatus).toBe("failed");
    expect(englishText(verificationFailureReason(row.verificationDetails)!)).toMatch(
      /restic check found damage in repository UMR9300 filer/,
    );
    // The next full read, a month later, reads every pack: the damage is on the repository and in the metrics.
    expect(await full(new Date(Date.now() + 31 * 86_400_000))).toEqual({ checked: 1, damaged: ["UMR9300 filer"] });
    const damagedRow = await db.backupRepository.findUniqueOrThrow({ where: { id: repositoryId } });
    expect(damagedRow.fullCheckOk).toBe(false);
    expect(damagedRow.fullCheckError).toMatch(/^restic check found damage in repository UMR9300 filer: /);
    expect(await collectMetrics(db)).toMatch(/paillasse_repository_damaged\{repository="UMR9300 filer"\} 1/);
    const checks = await db.auditEvent.findMany({ where: { action: "repository.full_check" }, orderBy: { id: "asc" } });
    expect(checks.map((e) => e.outcome)).toEqual(["success", "failure"]);
  }, 240_000);

  it("backs up into an SFTP repository with its own key, pinned to the server's host key, and its kit works without the panel", async () => {
    const engine = f!.engine;
    const server = await engine.api.createContainer({
      Image: "paillasse-fixture/sftp:1",
      name: `${f!.run}-sftp`,
      Labels: { [TEST_LABEL]: f!.run },
    });
    await server.start();
    const sshd = `${f!.run}-sftp`;
    // Listening once it says so (its host keys are made first).
    for (let i = 0; i < 100; i++) {
      const logs = await server.logs({ stdout: true, stderr: true });
      if (logs.toString("utf8").includes("Server listening")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const hostKeyLine = (
      await execCapture(engine, sshd, { cmd: ["cat", "/etc/ssh/ssh_host_ed25519_key.pub"] })
    ).stdout.trim();
    const ip = (await server.inspect()).NetworkSettings.Networks.bridge!.IPAddress;
    const location = `sftp:restic@${ip}:/home/restic/repository`;
    const backupVia = async (id: string) => {
      await setPolicyRepository(db, f!.actor, policyId, id, f!.context);
      return attemptBackup();
    };
    const before = await db.backup.count({ where: { status: "succeeded" } });

    // A server showing another key than the one given: refused, nothing written.
    const impostor = await createRepository(
      db,
      ring,
      f!.actor,
      { kind: "sftp", name: "UMR9300 sftp wrong key", location, hostKey: generateSshKeyPair("other").publicKey },
      f!.context,
    );
    const wrongKey = await backupVia(impostor.id);
    expect(wrongKey.outcome).toBe("failed");
    expect(wrongKey.operation.error).toMatch(/showed another host key than the one given/);

    // The right host key, but the panel's key not yet in authorized_keys: refused, saying what to add.
    const sftp = await createRepository(
      db,
      ring,
      f!.actor,
      { kind: "sftp", name: "UMR9300 sftp", location, hostKey: `${ip} ${hostKeyLine}` },
      f!.context,
    );
    expect(sftp.sshPublicKey).toMatch(/^ssh-ed25519 \S+ paillasse-UMR9300-sftp$/);
    const refused = await backupVia(sftp.id);
    expect(refused.outcome).toBe("failed");
    expect(refused.operation.error).toMatch(/refused the panel's key/);
    expect(await db.backup.count({ where: { status: "succeeded" } })).toBe(before);

    // The admin authorizes it on the server: the backup goes in, the verification reads it back through sftp.
    const authorize = await execCapture(engine, sshd, {
      cmd: ["sh", "-c", `echo '${sftp.sshPublicKey}' >> /home/restic/.ssh/authorized_keys`],
    });
    expect(authorize.exitCode).toBe(0);
    const ok = await backupVia(sftp.id);
    expect(ok.operation.error).toBeNull();
    expect(ok.outcome).toBe("succeeded");
    const row = await db.backup.findFirstOrThrow({ where: { operationId: ok.operation.id } });
    expect(row).toMatchObject({ format: "restic", repositoryId: sftp.id, status: "succeeded" });
    const verified = await verify(row.id);
    expect(verified.outcome).toBe("succeeded");
    expect(verified.row.verificationStatus).toBe("passed");
    // The snapshot is in the server's directory (the repository's files, written over sftp).
    const files = await execCapture(engine, sshd, { cmd: ["ls", "/home/restic/repository/snapshots"] });
    expect(files.stdout.trim().split("\n")).toEqual([row.snapshotId]);

    // The kit: its key file, its pinned host key and its commands, in a plain shell without the panel.
    const kit = await recoveryKit(db, ring, f!.actor, sftp.id, f!.context);
    const key = /-----BEGIN OPENSSH PRIVATE KEY-----[\s\S]+?-----END OPENSSH PRIVATE KEY-----/.exec(kit.text)![0];
    const known = kit.text.split("\n").find((l) => l.startsWith(`${ip} ssh-ed25519 `))!;
    const commands = kit.text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("export ") || l.startsWith("restic() "));
    expect(commands).toHaveLength(3);
    const script = [
      "cd /tmp && umask 077",
      `cat > paillasse-ssh-key <<'EOF'\n${key}\nEOF`,
      `echo '${known}' > paillasse-known-hosts`,
      ...commands,
      "restic snapshots --json --no-lock",
    ].join("\n");
    const helper = await runToCompletion(engine, {
      Image: "restic/restic:0.18.0",
      Entrypoint: ["sh", "-c", script],
      HostConfig: { NetworkMode: "bridge" },
    });
    expect(helper.stderr).not.toMatch(/Fatal/);
    expect((JSON.parse(helper.stdout) as { id: string }[]).map((s) => s.id)).toEqual([row.snapshotId]);
    // And it attaches back from its kit (a new panel), the same key and host key.
    const again = repositoryFromKit(kit.text);
    expect(again).toMatchObject({ kind: "sftp", location, hostKey: hostKeyLine.split(" ").slice(0, 2).join(" ") });
    await setPolicyRepository(db, f!.actor, policyId, repositoryId, f!.context);
  }, 240_000);

  it("a database user allowed from localhost only: the dump goes through the panel instead, counted, and the snapshot is whole", async () => {
    const users = await rootSql(f!.engine, f!.mysql, "SELECT user, host FROM mysql.user WHERE user = 'elabftw'");
    expect(users).toEqual([["elabftw", "%"]]);
    await rootSql(f!.engine, f!.mysql, "RENAME USER 'elabftw'@'%' TO 'elabftw'@'localhost'");
    try {
      const done = await backup();
      expect(done.outcome).toBe("succeeded");
      const logs = await db.operationLog.findMany({ where: { operationId: done.operation.id } });
      expect(logs.map((l) => l.message).join("\n")).toMatch(
        /does not take the dump helper's connection \(The database refused the panel: .*Access denied.*\); the dump goes through the panel instead/,
      );
      expect((done.row.contents as { tables: Record<string, number> }).tables.experiments).toBe(1);
      const verified = await verify(done.row.id);
      expect(verified.outcome).toBe("succeeded");
      expect(verified.row.verificationStatus).toBe("passed");
    } finally {
      await rootSql(f!.engine, f!.mysql, "RENAME USER 'elabftw'@'localhost' TO 'elabftw'@'%'");
    }
  }, 240_000);

  it("a dump that fails beside the database stores no snapshot and leaves no helper or staging volume behind", async () => {
    const repo = await loadRepository(db, ring, repositoryId);
    const before = (await listSnapshots(f!.engine, repo)).map((s) => s.id);
    // A view whose table is gone: mysqldump stops on it with an error, as on a real server after a careless DROP.
    await rootSql(
      f!.engine,
      f!.mysql,
      "CREATE TABLE pl_gone (id INT); CREATE VIEW pl_broken AS SELECT id FROM pl_gone; DROP TABLE pl_gone;",
      f!.schema,
    );
    try {
      const failed = await attemptBackup();
      expect(failed.outcome).not.toBe("succeeded");
      expect(failed.operation.error).toMatch(/The database dump failed: mysqldump exited with code \d+ \(.*pl_broken/);
      expect((await listSnapshots(f!.engine, repo)).map((s) => s.id)).toEqual(before);
      const database = await inspectContainer(f!.engine, f!.mysql.container);
      const dumpers = await f!.engine.api.listContainers({
        all: true,
        filters: { label: ["net.paillasse.helper=database-dump"] },
      });
      expect(dumpers.filter((c) => c.HostConfig.NetworkMode === `container:${database.id}`)).toEqual([]);
      const volumes = (await f!.engine.api.listVolumes()).Volumes ?? [];
      const backupRow = await db.backup.findFirstOrThrow({ where: { operationId: failed.operation.id } });
      expect(volumes.map((v) => v.Name)).not.toContain(
        `paillasse-stage-${backupRow.id.replace(/-/g, "").slice(0, 16)}`,
      );
    } finally {
      await rootSql(f!.engine, f!.mysql, "DROP VIEW IF EXISTS pl_broken", f!.schema);
    }
    expect((await backup()).outcome).toBe("succeeded");
  }, 240_000);
});
