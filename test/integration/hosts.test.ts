import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { addHost, createHost, deleteHost, updateHost } from "../../lib/server/hosts/manage-hosts";
import { readHostSnapshot, refreshAllHosts, refreshHost } from "../../lib/server/hosts/snapshot";
import { startBlackHole } from "../support/black-hole";
import { BUSYBOX, TEST_SOCKET } from "../support/docker";
import { useFreshDatabase } from "../support/fresh-database";
import { refusal } from "../support/refusal";
import { generateKey, startSshFront, type SshFront } from "../support/ssh";
import { makePki, startTlsFront, type Pki } from "../support/tls";

const ring = parseKeyRing(generateKeySpec());
const actor = { id: "00000000-0000-4000-8000-000000000001", email: "ops@unit.example" };
const context = { ip: "10.0.0.7", userAgent: "vitest" };

describe("Docker hosts: add, test, snapshot", () => {
  const database = useFreshDatabase("hosts", { migrated: true });
  let db: Db;
  let pki: Pki;
  let tlsFront: { port: number; close: () => Promise<void> };
  let sshKey: { privateKey: string; publicKey: string };
  let sshFront: SshFront;
  let blackHole: { port: number; close: () => Promise<void> };

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    pki = makePki("hosts");
    tlsFront = await startTlsFront(pki, TEST_SOCKET);
    sshKey = generateKey();
    sshFront = await startSshFront(TEST_SOCKET, "paillasse", sshKey.publicKey);
    blackHole = await startBlackHole();
  });
  afterAll(async () => {
    await Promise.all([tlsFront?.close(), sshFront?.close(), blackHole?.close()]);
    await db?.$disconnect();
  });

  it("adds a socket host and reads its engine, containers and free space", async () => {
    const id = await createHost(
      db,
      ring,
      actor,
      { kind: "socket", name: "local-test", socketPath: TEST_SOCKET },
      context,
    );
    const outcome = await refreshHost(db, ring, id, { measureDisk: true, helperImages: [BUSYBOX] });
    expect(outcome.ok).toBe(true);
    const host = await db.dockerHost.findUniqueOrThrow({ where: { id } });
    expect(host.reachability).toBe("reachable");
    expect(host.engineVersion).toMatch(/^\d+\.\d+/);
    expect(host.dockerRootDir).toMatch(/^\//);
    expect(Number(host.freeBytes)).toBeGreaterThan(1024 * 1024);
    // The stored snapshot reads back through its schema (what every page uses).
    const snapshot = readHostSnapshot(host.snapshot);
    expect(snapshot).not.toBeNull();
    expect(Array.isArray(snapshot!.containers)).toBe(true);
    expect(snapshot!.freeBytesNote).toBeNull();
    expect(readHostSnapshot({ ...snapshot, engine: "24.0" })).toBeNull();
  });

  it("adds a TCP + mutual TLS host; the client key is stored sealed and never in the audit log", async () => {
    const id = await createHost(
      db,
      ring,
      actor,
      {
        kind: "tcp_tls",
        name: "tls-test",
        address: "127.0.0.1",
        port: String(tlsFront.port),
        tlsCaCert: pki.ca,
        tlsClientCert: pki.clientCert,
        tlsClientKey: pki.clientKey,
      },
      context,
    );
    const raw = await db.dockerHost.findUniqueOrThrow({ where: { id }, select: { tlsClientKeyEnc: true } });
    expect(raw.tlsClientKeyEnc).toMatch(/^pl1:/);
    expect(raw.tlsClientKeyEnc).not.toContain("PRIVATE KEY");
    // Default queries never carry it.
    expect(Object.keys(await db.dockerHost.findUniqueOrThrow({ where: { id } }))).not.toContain("tlsClientKeyEnc");
    expect((await refreshHost(db, ring, id)).ok).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({ where: { targetId: id, action: "host.create" } });
    expect(JSON.stringify(event.params)).not.toContain("PRIVATE KEY");
    expect(event.params).toMatchObject({ kind: "tcp_tls", address: `127.0.0.1:${tlsFront.port}` });
  });

  it("adds an SSH host, pins its host key on first use, and refuses it once the key changes", async () => {
    const id = await createHost(
      db,
      ring,
      actor,
      {
        kind: "ssh",
        name: "ssh-test",
        address: "127.0.0.1",
        port: sshFront.port,
        sshUser: "paillasse",
        sshPrivateKey: sshKey.privateKey,
      },
      context,
    );
    expect((await refreshHost(db, ring, id, { timeoutMs: 20_000 })).ok).toBe(true);
    expect((await db.dockerHost.findUniqueOrThrow({ where: { id } })).sshHostFingerprint).toBe(sshFront.fingerprint);

    await db.dockerHost.update({
      where: { id },
      data: { sshHostFingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    });
    const changed = await refreshHost(db, ring, id, { timeoutMs: 20_000 });
    expect(changed.ok).toBe(false);
    const host = await db.dockerHost.findUniqueOrThrow({ where: { id } });
    expect(host.reachability).toBe("unreachable");
    expect(host.lastSnapshotError).toContain("SSH host key");
    expect(host.lastSnapshotError).toContain(sshFront.fingerprint);
    await db.dockerHost.update({ where: { id }, data: { sshHostFingerprint: sshFront.fingerprint } });
  });

  it("marks a black-holed host unreachable under its deadline without holding up the others", async () => {
    const hole = await createHost(
      db,
      ring,
      actor,
      {
        kind: "tcp_tls",
        name: "black-hole",
        address: "127.0.0.1",
        port: blackHole.port,
        tlsCaCert: pki.ca,
        tlsClientCert: pki.clientCert,
        tlsClientKey: pki.clientKey,
      },
      context,
    );
    const local = (await db.dockerHost.findUniqueOrThrow({ where: { name: "local-test" } })).id;
    let holeDone = false;
    const holeRefresh = refreshHost(db, ring, hole, { timeoutMs: 3_000 }).finally(() => {
      holeDone = true;
    });
    expect((await refreshHost(db, ring, local, { timeoutMs: 3_000 })).ok).toBe(true);
    expect(holeDone).toBe(false); // the good host answered while the black hole was still silent
    const outcome = await holeRefresh;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.failure).toBe("timeout");
    const row = await db.dockerHost.findUniqueOrThrow({ where: { id: hole } });
    expect(row.reachability).toBe("unreachable");
    expect(row.lastSnapshotError).toMatch(/did not answer|timed out/i);

    const summary = await refreshAllHosts(db, ring, { timeoutMs: 3_000, concurrency: 4 });
    expect(summary.hosts).toBe(4);
    expect(summary.unreachable).toEqual(["black-hole"]);
    await deleteHost(db, actor, hole, context);
  });

  it("refuses bad input with a sentence naming the field, and stores nothing", async () => {
    const before = await db.dockerHost.count();
    const other = makePki("other");
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: "socket", name: "Bad Name", socketPath: TEST_SOCKET }, /^Name must be/],
      [{ kind: "socket", name: "rel", socketPath: "docker.sock" }, /^Socket path must be an absolute path/],
      [{ kind: "telnet", name: "x" }, /^Connection type must be/],
      [
        {
          kind: "tcp_tls",
          name: "t1",
          address: "bad host!",
          port: 2376,
          tlsCaCert: pki.ca,
          tlsClientCert: pki.clientCert,
          tlsClientKey: pki.clientKey,
        },
        /^Address must be/,
      ],
      [
        {
          kind: "tcp_tls",
          name: "t2",
          address: "10.0.0.1",
          port: 70000,
          tlsCaCert: pki.ca,
          tlsClientCert: pki.clientCert,
          tlsClientKey: pki.clientKey,
        },
        /^Port must be between/,
      ],
      [
        {
          kind: "tcp_tls",
          name: "t3",
          address: "10.0.0.1",
          port: 2376,
          tlsCaCert: "hello",
          tlsClientCert: pki.clientCert,
          tlsClientKey: pki.clientKey,
        },
        /CA certificate is not a PEM certificate/,
      ],
      [
        {
          kind: "tcp_tls",
          name: "t4",
          address: "10.0.0.1",
          port: 2376,
          tlsCaCert: pki.ca,
          tlsClientCert: pki.clientCert,
          tlsClientKey: other.clientKey,
        },
        /does not belong to the client certificate/,
      ],
      [
        {
          kind: "tcp_tls",
          name: "t5",
          address: "10.0.0.1",
          port: 2376,
          tlsCaCert: pki.ca,
          tlsClientCert: pki.clientCert,
        },
        /Client key is required/,
      ],
      [
        {
          kind: "ssh",
          name: "s1",
          address: "10.0.0.1",
          port: 22,
          sshUser: "paillasse",
          sshPrivateKey: sshKey.publicKey,
        },
        /public key/,
      ],
      [
        {
          kind: "ssh",
          name: "s2",
          address: "10.0.0.1",
          port: 22,
          sshUser: "Root User",
          sshPrivateKey: sshKey.privateKey,
        },
        /^SSH user must be/,
      ],
      [{ kind: "socket", name: "local-test", socketPath: TEST_SOCKET }, /already exists/],
    ];
    for (const [input, message] of cases) {
      const error = await refusal(createHost(db, ring, actor, input, context));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain("PRIVATE KEY");
    }
    expect(await db.dockerHost.count()).toBe(before);
  });

  it("keeps the stored key when an edit leaves it empty; refuses to remove a host that runs instances", async () => {
    const tls = await db.dockerHost.findUniqueOrThrow({
      where: { name: "tls-test" },
      select: { id: true, tlsClientKeyEnc: true },
    });
    await updateHost(
      db,
      ring,
      actor,
      tls.id,
      {
        kind: "tcp_tls",
        name: "tls-renamed",
        address: "127.0.0.1",
        port: tlsFront.port,
        tlsCaCert: pki.ca,
        tlsClientCert: pki.clientCert,
        tlsClientKey: "",
      },
      context,
    );
    const after = await db.dockerHost.findUniqueOrThrow({
      where: { id: tls.id },
      select: { name: true, tlsClientKeyEnc: true },
    });
    expect(after).toEqual({ name: "tls-renamed", tlsClientKeyEnc: tls.tlsClientKeyEnc });
    expect((await refreshHost(db, ring, tls.id)).ok).toBe(true);

    const unit = await db.unit.create({ data: { code: "UMR9999", name: "Nine" } });
    await db.instance.create({
      data: {
        name: "elab-nine",
        unitId: unit.id,
        webHostId: tls.id,
        webContainerName: "elabftw",
        databasePlacement: "container",
        imageTag: "5.0.4",
        siteUrl: "https://elab.unit.example",
        uploadsKind: "volume",
        uploadsSource: "uploads",
      },
    });
    const refused = await refusal(deleteHost(db, actor, tls.id, context));
    expect(refused.code).toBe("conflict");
    expect(refused.message).toContain("still runs 1 instance");
    expect(await db.dockerHost.count({ where: { id: tls.id } })).toBe(1);
  });

  it("refuses the same engine added again under another name, by socket, path or TLS, and keeps nothing", async () => {
    // The first test of this file added this engine as "local-test"; its snapshot recorded the engine's ID.
    const holder = await db.dockerHost.findUniqueOrThrow({ where: { name: "local-test" } });
    expect(holder.engineId).toMatch(/\S{8,}/);
    const before = await db.dockerHost.count();
    const events = await db.auditEvent.count({ where: { action: "host.create", outcome: "success" } });
    for (const input of [
      { kind: "socket", name: "engine-twice", socketPath: TEST_SOCKET },
      { kind: "socket", name: "engine-by-path", socketPath: TEST_SOCKET.replace(/\/([^/]+)$/, "/./$1") },
      {
        kind: "tcp_tls",
        name: "engine-over-tls",
        address: "127.0.0.1",
        port: tlsFront.port,
        tlsCaCert: pki.ca,
        tlsClientCert: pki.clientCert,
        tlsClientKey: pki.clientKey,
      },
    ]) {
      const error = await refusal(addHost(db, ring, actor, input, context));
      expect(error.code).toBe("conflict");
      expect(error.message).toBe("This engine is already added as “local-test”.");
      expect(error.hint).toMatch(/Nothing was added\.$/);
    }
    expect(await db.dockerHost.count()).toBe(before);
    expect(await db.auditEvent.count({ where: { action: "host.create", outcome: "success" } })).toBe(events);
    expect(await db.auditEvent.count({ where: { action: "host.create", outcome: "failure" } })).toBe(3);
    // An entry made before this check (the TLS host of an earlier test) is told at each snapshot and never takes the ID.
    const legacy = await db.dockerHost.findUniqueOrThrow({ where: { name: "tls-renamed" } });
    const outcome = await refreshHost(db, ring, legacy.id);
    expect(outcome.ok && outcome.duplicateOf).toBe("local-test");
    const row = await db.dockerHost.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(row.engineId).toBeNull();
    expect(row.lastSnapshotError).toContain("This engine is already added as “local-test”");
  });
});
