import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pullImage,
  createContainer,
  createVolume,
  execCapture,
  inspectContainer,
  removeContainer,
  removeVolume,
  startContainer,
  type DockerClient,
  type MountInfo,
} from "../../lib/docker";
import type { OpenedRepository } from "../../lib/server/repositories/repository-secrets";
import { RESTIC_EXIT, resticFailure, runRestic } from "../../lib/server/repositories/restic";
import {
  copySnapshot,
  ensureRepository,
  listSnapshots,
  readSnapshotFile,
  readSnapshotText,
  restoreUploads,
  SNAPSHOT_DATABASE,
  SNAPSHOT_INSTANCE,
  SNAPSHOT_SCRIPT,
  writeSnapshot,
  type SnapshotTags,
} from "../../lib/server/repositories/snapshots";
import { TEST_LABEL, removeTestContainers, testEngine, uniqueName } from "../support/docker";
import { comparableTree, liveTree, messyUploads, seedUploads } from "../support/messy-uploads";

/*
 * The repository engine against the real thing: restic 0.18 in helper containers on the test
 * engine, a repository in a host directory and an append-only rest-server, the messy uploads
 * tree in a volume. The test's own eyes are find(1) and sha256sum(1) in the containers.
 */
const RESTIC = "restic/restic:0.18.0";
const REST_SERVER = "restic/rest-server:0.13.0";
const run = uniqueName("restic");
let client: DockerClient;
let repoDir: string;
let repo: OpenedRepository;
const volumes: string[] = [];

/** A long-running container with `volume` at /elabftw/uploads (the restic image has GNU find and sha256sum). */
async function holder(name: string, volume: string): Promise<string> {
  const id = await createContainer(client, {
    name: uniqueName(name),
    Image: RESTIC,
    Entrypoint: ["sleep"],
    Cmd: ["3600"],
    Labels: { [TEST_LABEL]: run },
    HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: volume, Target: "/elabftw/uploads" }] },
  });
  await startContainer(client, id);
  return id;
}

async function volume(prefix: string): Promise<MountInfo> {
  const name = uniqueName(`${run}-${prefix}`);
  await createVolume(client, name, { [TEST_LABEL]: run });
  volumes.push(name);
  return { type: "volume", source: name, destination: "/elabftw/uploads", readOnly: false };
}

/** HTML-like rows, as eLabFTW's experiments table holds them. */
function dumpText(rows: number, seed = "a"): string {
  const lines = ["-- MySQL dump", "CREATE TABLE experiments (id int, body mediumtext);"];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `INSERT INTO experiments VALUES (${i},'<p>Protocol ${seed}${i}: <strong>incubate</strong> at 37&nbsp;°C for ${i % 60} min</p><ul><li>buffer ${i}</li></ul>');`,
    );
  }
  lines.push("-- Dump completed on 2026-12-06 10:00:00");
  return `${lines.join("\n")}\n`;
}

const tags = (trigger: string): SnapshotTags => ({
  instance: "elab-restic",
  unit: "UMR1",
  trigger,
  version: "5.1.0",
  schema: 165,
});

async function collect(read: (out: Writable) => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await read(
    new Writable({
      write(chunk: Buffer, _e, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

let source: MountInfo;
let sourceHolder: string;
const messy = messyUploads();

beforeAll(async () => {
  client = await testEngine();
  repoDir = mkdtempSync(path.join(tmpdir(), "pl-restic-repo-"));
  repo = {
    id: `test-${run}`,
    name: "lab filer",
    kind: "host_directory",
    location: repoDir,
    hostId: null,
    appendOnly: false,
    secrets: { password: randomBytes(24).toString("base64url") },
  };
  source = await volume("uploads");
  sourceHolder = await holder("source", source.source);
  await seedUploads(client, sourceHolder, messy.seeds);
}, 120_000);

afterAll(async () => {
  if (!client) return;
  await removeTestContainers(client, run);
  await Promise.all(volumes.map((v) => removeVolume(client, v).catch(() => undefined)));
  rmSync(repoDir, { recursive: true, force: true });
}, 60_000);

describe("restic repository engine", () => {
  let first: Awaited<ReturnType<typeof writeSnapshot>>;
  const dump1 = dumpText(4_000);
  const instanceJson = JSON.stringify({ web: { Env: ["SECRET_KEY=def00000abc"] }, compose: "services: {}\n" });

  it("initializes an empty repository once, then opens it", async () => {
    expect(await ensureRepository(client, repo)).toEqual({ created: true });
    expect(await ensureRepository(client, repo)).toEqual({ created: false });
  }, 120_000);

  it("writes one snapshot holding the dump, instance.json and the uploads, and gives them back byte for byte", async () => {
    const scratch = await volume("scratch");
    const progress: number[] = [];
    first = await writeSnapshot(client, repo, {
      hostname: "elab-restic",
      tags: tags("manual"),
      uploads: source,
      instanceJson,
      dump: Readable.from([Buffer.from(dump1)]),
      scratchVolume: scratch.source,
      onProgress: (p) => progress.push(p.percent),
    });
    expect(first.snapshotId).toMatch(/^[0-9a-f]{64}$/);
    expect(first.filesNew).toBeGreaterThanOrEqual(messy.regularFiles);

    const snapshots = await listSnapshots(client, repo, { instance: "elab-restic" });
    expect(snapshots.map((s) => s.id)).toEqual([first.snapshotId]);
    expect(snapshots[0]!.tags).toMatchObject({
      instance: "elab-restic",
      unit: "UMR1",
      trigger: "manual",
      schema: "165",
    });
    expect(snapshots[0]!.hostname).toBe("elab-restic");

    const dumped = await collect((out) => readSnapshotFile(client, repo, first.snapshotId, SNAPSHOT_DATABASE, out));
    expect(sha(dumped)).toBe(sha(dump1));
    expect(await readSnapshotText(client, repo, first.snapshotId, SNAPSHOT_INSTANCE)).toBe(instanceJson);

    const target = await volume("restored");
    await restoreUploads(client, repo, first.snapshotId, target);
    const restoredHolder = await holder("restored", target.source);
    const want = comparableTree(await liveTree(client, sourceHolder));
    const got = comparableTree(await liveTree(client, restoredHolder));
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const p of Object.keys(want)) expect({ p, ...got[p] }).toEqual({ p, ...want[p] });
  }, 180_000);

  it("an incremental snapshot reads only what changed and restores changed, unchanged and deleted files exactly", async () => {
    // Change one file, add one, delete one, and 1 % of the dump's rows.
    const change = await execCapture(client, sourceHolder, {
      cmd: [
        "sh",
        "-c",
        "cd /elabftw/uploads && echo changed >> cd/cdef.txt && head -c 300000 /dev/urandom > ab/new.bin && rm zero.bin",
      ],
    });
    expect(change.exitCode).toBe(0);
    const rows = dump1.split("\n");
    for (let i = 100; i < 140; i++) rows[i] = rows[i]!.replace("incubate", "centrifuge");
    const dump2 = rows.join("\n");
    const scratch = await volume("scratch2");
    const second = await writeSnapshot(client, repo, {
      hostname: "elab-restic",
      tags: tags("scheduled"),
      uploads: source,
      instanceJson,
      dump: Readable.from([Buffer.from(dump2)]),
      scratchVolume: scratch.source,
    });
    expect(second.snapshotId).not.toBe(first.snapshotId);
    expect(second.filesNew).toBe(1);
    // The edited upload, the dump and instance.json (both written afresh each time).
    expect(second.filesChanged).toBe(3);
    expect(second.filesUnmodified).toBeGreaterThanOrEqual(messy.regularFiles - 3);
    // New: the 300 kB random file (incompressible), the edited text and the few changed chunks of the
    // dump; a full copy would add all of the first snapshot again on top.
    expect(second.addedPacked).toBeGreaterThanOrEqual(300_000);
    expect(second.addedPacked).toBeLessThan(300_000 + 100_000);
    expect(second.addedPacked).toBeLessThan(first.addedPacked + 300_000);

    // Restore over the first restore: the deleted file goes, the others match the live tree.
    const target = await volume("restored2");
    await restoreUploads(client, repo, first.snapshotId, target);
    await restoreUploads(client, repo, second.snapshotId, target);
    const restoredHolder = await holder("restored2", target.source);
    const want = comparableTree(await liveTree(client, sourceHolder));
    const got = comparableTree(await liveTree(client, restoredHolder));
    expect(got["uploads/zero.bin"]).toBeUndefined();
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const p of Object.keys(want)) expect({ p, ...got[p] }).toEqual({ p, ...want[p] });
    const dumped = await collect((out) => readSnapshotFile(client, repo, second.snapshotId, SNAPSHOT_DATABASE, out));
    expect(sha(dumped)).toBe(sha(dump2));
  }, 180_000);

  it("a helper killed mid-backup leaves no snapshot, and the next backup works", async () => {
    const before = await listSnapshots(client, repo);
    const endless = new PassThrough();
    endless.write(dumpText(2_000, "partial"));
    const abort = new AbortController();
    const scratch = await volume("scratch3");
    const killed = writeSnapshot(client, repo, {
      hostname: "elab-restic",
      tags: tags("manual"),
      uploads: source,
      instanceJson,
      dump: endless,
      scratchVolume: scratch.source,
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(new Error("killed by the test")), 1_500);
    await expect(killed).rejects.toThrow(/killed by the test/);
    // This run's helpers only: another test file may be backing up on the same engine meanwhile.
    const helpers = await client.api.listContainers({
      all: true,
      filters: { label: ["net.paillasse.helper=restic"] },
    });
    expect(helpers.filter((h) => h.Command.includes("--host elab-restic"))).toEqual([]);
    expect((await listSnapshots(client, repo)).map((s) => s.id)).toEqual(before.map((s) => s.id));
    const next = await writeSnapshot(client, repo, {
      hostname: "elab-restic",
      tags: tags("manual"),
      uploads: source,
      instanceJson,
      dump: Readable.from([Buffer.from(dumpText(100))]),
      scratchVolume: scratch.source,
    });
    expect((await listSnapshots(client, repo)).map((s) => s.id)).toEqual([...before.map((s) => s.id), next.snapshotId]);
    const check = await runRestic(client, repo, { args: ["check"] });
    expect(check.exitCode).toBe(0);
  }, 180_000);

  it("a helper whose input stops short (the panel gone mid-dump) stores nothing, never a truncated dump", async () => {
    const before = await listSnapshots(client, repo);
    const scratch = await volume("scratch-short");
    const partial = dumpText(500, "cut").slice(0, 20_000);
    const result = await runRestic(client, repo, {
      script: SNAPSHOT_SCRIPT,
      env: { PAILLASSE_END_MARK: "PAILLASSE-END-0123456789abcdef0123456789abcdef" },
      args: ["backup", "--json", "--host", "elab-restic", "/restore-point"],
      stdin: Readable.from([Buffer.from("e30=\n"), Buffer.from(partial)]),
      mounts: [
        { type: "volume", source: scratch.source, destination: "/restore-point", readOnly: false },
        { ...source, destination: "/restore-point/uploads", readOnly: true },
      ],
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/the dump did not arrive whole/);
    expect((await listSnapshots(client, repo)).map((s) => s.id)).toEqual(before.map((s) => s.id));
  }, 60_000);

  it("a wrong password is refused with what to do, and never printed", async () => {
    const wrong = { ...repo, secrets: { password: "not-the-password-0123" } };
    const result = await runRestic(client, wrong, { args: ["snapshots", "--json", "--no-lock"] });
    expect(result.exitCode).toBe(RESTIC_EXIT.wrongPassword);
    const error = resticFailure(repo.name, "Listing", result);
    expect(error.message).toMatch(/password does not open repository lab filer/);
    expect(JSON.stringify(error)).not.toContain("not-the-password-0123");
  }, 60_000);
});

describe("an append-only rest-server as the off-site copy", () => {
  let server: string;
  let offsite: OpenedRepository;

  beforeAll(async () => {
    const user = "umr1";
    const password = randomBytes(18).toString("base64url");
    const hash = `{SHA}${createHash("sha1").update(password).digest("base64")}`;
    const data = await volume("rest-data");
    // A fresh engine has no image yet: from the test registry, as every other image the tests run.
    await pullImage(client, REST_SERVER);
    // The users file is written before the server starts (it reads it at start).
    const prepare = await createContainer(client, {
      name: uniqueName("rest-prep"),
      Image: REST_SERVER,
      Entrypoint: ["sh", "-c", `printf '%s\\n' "$ENTRY" > /data/.htpasswd`],
      Env: [`ENTRY=${user}:${hash}`],
      Labels: { [TEST_LABEL]: run },
      HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: data.source, Target: "/data" }] },
    });
    await startContainer(client, prepare);
    await client.api.getContainer(prepare).wait();
    await removeContainer(client, prepare, { force: true });
    server = await createContainer(client, {
      name: uniqueName("rest-server"),
      Image: REST_SERVER,
      Env: ["OPTIONS=--append-only --private-repos"],
      Labels: { [TEST_LABEL]: run },
      HostConfig: { Mounts: [{ Type: "volume", Source: data.source, Target: "/data" }] },
    });
    await startContainer(client, server);
    const ip = Object.values((await inspectContainer(client, server)).networks)[0]?.ipAddress;
    expect(ip).toBeTruthy();
    offsite = {
      id: `offsite-${run}`,
      name: "off-site",
      kind: "rest",
      location: `rest:http://${ip}:8000/${user}/`,
      hostId: null,
      appendOnly: true,
      secrets: { password: randomBytes(24).toString("base64url"), restUser: user, restPassword: password },
    };
  }, 120_000);

  it("receives the primary's snapshots by restic copy (initialized with the primary's chunker, so copies deduplicate)", async () => {
    const primary = await listSnapshots(client, repo);
    const newest = primary.at(-1)!;
    const copied = await copySnapshot(client, repo, offsite, newest.id);
    expect(copied.created).toBe(true);
    const there = await listSnapshots(client, offsite);
    expect(there.map((s) => s.id)).toEqual([copied.snapshotId]);
    expect(there[0]!.tags).toEqual(newest.tags);
    // The same chunker: the repositories' configs agree on it (restic cat config).
    const config = async (r: OpenedRepository) =>
      (
        JSON.parse((await runRestic(client, r, { args: ["cat", "config", "--no-lock"] })).output) as {
          chunker_polynomial: string;
        }
      ).chunker_polynomial;
    expect(await config(offsite)).toBe(await config(repo));
    // Copying again adds nothing and finds the same copy.
    expect((await copySnapshot(client, repo, offsite, newest.id)).snapshotId).toBe(copied.snapshotId);
  }, 120_000);

  it("takes snapshots but refuses forget with the panel's credentials, and keeps them when the primary is gone", async () => {
    expect(await ensureRepository(client, offsite)).toEqual({ created: false });
    const scratch = await volume("scratch-offsite");
    const written = await writeSnapshot(client, offsite, {
      hostname: "elab-restic",
      tags: tags("manual"),
      uploads: source,
      instanceJson: "{}",
      dump: Readable.from([Buffer.from(dumpText(50))]),
      scratchVolume: scratch.source,
    });
    const forget = await runRestic(client, offsite, { args: ["forget", "--prune", written.snapshotId] });
    expect(forget.exitCode).not.toBe(0);
    expect(forget.stderr).toMatch(/403|Forbidden/);
    expect(forget.stderr).not.toContain(offsite.secrets.restPassword!);
    // The primary repository disappears (a ransomware, a wrong rm): the off-site copy still restores.
    rmSync(repoDir, { recursive: true, force: true });
    expect((await listSnapshots(client, offsite)).map((s) => s.id)).toContain(written.snapshotId);
    const target = await volume("restored-offsite");
    await restoreUploads(client, offsite, written.snapshotId, target);
    const restoredHolder = await holder("restored-offsite", target.source);
    expect(comparableTree(await liveTree(client, restoredHolder))).toEqual(
      comparableTree(await liveTree(client, sourceHolder)),
    );
  }, 180_000);
});
