/**
 * `npm run bench`: the inventory's performance targets, measured on this
 * machine and written to bench-results/dashboard.json.
 *   - 50 host snapshots (48 engines that answer, 2 black-holed): target ≤ 10 s.
 *   - the fleet dashboard with 500 instances on 50 hosts: server response
 *     p50/p95 over 200 requests of a signed-in admin: target p95 ≤ 200 ms.
 * Uses the test environment (a private Docker engine, PostgreSQL): run by
 * scripts/bench.sh, which starts it.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { sessionCookieSecret } from "../lib/auth/config";
import { createSession } from "../lib/auth/sessions";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import { createPrismaClient } from "../lib/server/db/client";
import { migrate } from "../lib/server/db/migrate";
import { sealHostSecret } from "../lib/server/hosts/host-connection";
import { refreshAllHosts } from "../lib/server/hosts/snapshot";
import { TAGS_SETTING } from "../lib/server/registry/tag-cache";
import { freePort, ROOT, startPanel } from "../e2e/support/panel-process";
import { startBlackHole } from "../test/support/black-hole";
import { TEST_SOCKET } from "../test/support/docker";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../test/support/test-database";
import { makePki } from "../test/support/tls";

const HOSTS = 50;
const BLACK_HOLED = 2;
const INSTANCES = 500;
const REQUESTS = 200;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main() {
  const server = await acquireTestServer();
  const url = await createTestDatabase(server, "bench");
  const spec = generateKeySpec();
  const ring = parseKeyRing(spec);
  const db = createPrismaClient(url);
  const holes = await Promise.all(Array.from({ length: BLACK_HOLED }, () => startBlackHole()));
  let panel: Awaited<ReturnType<typeof startPanel>> | undefined;
  try {
    await migrate(url, path.join(ROOT, "prisma", "migrations"), () => undefined);
    console.log(`[bench] seeding ${HOSTS} hosts (${BLACK_HOLED} black-holed) and ${INSTANCES} instances…`);
    const pki = makePki("bench");
    const hostIds: string[] = [];
    for (let i = 0; i < HOSTS; i++) {
      const id = crypto.randomUUID();
      const hole = holes[i - (HOSTS - BLACK_HOLED)];
      await db.dockerHost.create({
        data: hole
          ? {
              id,
              name: `bench-dead-${i}`,
              kind: "tcp_tls",
              address: "127.0.0.1",
              port: hole.port,
              tlsCaCert: pki.ca,
              tlsClientCert: pki.clientCert,
              tlsClientKeyEnc: sealHostSecret(ring, id, "tlsClientKey", pki.clientKey),
            }
          : { id, name: `bench-host-${String(i).padStart(2, "0")}`, kind: "socket", address: TEST_SOCKET },
      });
      hostIds.push(id);
    }
    const units = await Promise.all(
      Array.from({ length: 25 }, (_, i) => db.unit.create({ data: { code: `UMR${7000 + i}`, name: `Unit ${i}` } })),
    );
    await db.instance.createMany({
      data: Array.from({ length: INSTANCES }, (_, i) => ({
        name: `elab-${String(i).padStart(3, "0")}`,
        unitId: units[i % units.length]!.id,
        webHostId: hostIds[i % HOSTS]!,
        webContainerName: `elabftw-${i}`,
        databasePlacement: "container" as const,
        databaseHostId: hostIds[(i + 1) % HOSTS]!,
        databaseContainerName: `mysql-${i}`,
        imageTag: i % 3 ? "5.0.4" : "5.1.0",
        elabftwVersion: i % 3 ? "5.0.4" : "5.1.0",
        siteUrl: `https://elab-${i}.unit.example`,
        uploadsKind: "volume" as const,
        uploadsSource: `uploads-${i}`,
        state: i % 17 ? ("running" as const) : ("degraded" as const),
        health: i % 17 ? "ok" : "ko",
        schemaVersion: i % 3 ? 144 : 165,
        observedAt: new Date(),
      })),
    });
    const instances = await db.instance.findMany({ select: { id: true } });
    await db.backup.createMany({
      data: instances.flatMap((inst, i) =>
        Array.from({ length: 5 }, (_, k) => ({
          instanceId: inst.id,
          trigger: "scheduled" as const,
          status: k === 4 && i % 11 === 0 ? ("failed" as const) : ("succeeded" as const),
          startedAt: new Date(Date.now() - (k + 1) * 86_400_000),
          finishedAt: new Date(Date.now() - (k + 1) * 86_400_000 + 60_000),
          totalBytes: BigInt(1_000_000 * (i + 1)),
        })),
      ),
    });
    await db.setting.create({
      data: {
        key: TAGS_SETTING,
        value: {
          "elabftw/elabimg": { fetchedAt: new Date().toISOString(), tags: ["5.0.4", "5.1.0", "5.1.1"], error: null },
        },
      },
    });

    console.log("[bench] snapshotting every host (8 at a time, 5 s deadline each)…");
    const snapshot = await refreshAllHosts(db, ring, { timeoutMs: 5_000, concurrency: 8 });
    console.log(
      `[bench] ${snapshot.hosts} snapshots in ${(snapshot.durationMs / 1000).toFixed(2)} s (${snapshot.unreachable.length} unreachable)`,
    );

    // A signed-in admin: an operator, a key, a server-side session and its cookie, as a sign-in would make them.
    const operator = await db.operator.create({
      data: {
        email: "bench@unit.example",
        displayName: "Bench",
        role: "admin",
        expiresAt: new Date(Date.now() + 86_400_000),
        webauthnUserId: new Uint8Array(randomBytes(32)),
      },
    });
    const key = await db.securityKey.create({
      data: {
        operatorId: operator.id,
        name: "bench",
        credentialId: new Uint8Array(randomBytes(32)),
        publicKey: new Uint8Array(randomBytes(32)),
        aaguid: "00000000-0000-0000-0000-000000000000",
        attestationFormat: "none",
        backupEligible: false,
        backedUp: false,
      },
    });
    const session = await createSession(
      db,
      { operatorId: operator.id, securityKeyId: key.id, ip: "127.0.0.1", userAgent: "bench" },
      { absoluteMs: 12 * 3600_000, idleMs: 15 * 60_000 },
    );
    const cookie = `next-auth.session-token=${await encode({
      token: { sid: session.token, sub: operator.id },
      secret: sessionCookieSecret(ring),
      maxAge: 12 * 3600,
    })}`;

    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "paillasse-bench-"));
    console.log("[bench] starting the panel…");
    panel = await startPanel({
      port,
      logFile: path.join(ROOT, "bench-results", "panel.log"),
      env: {
        DATABASE_URL: url,
        PANEL_SECRET_KEY: spec,
        PANEL_DATA_DIR: dataDir,
        DOCKER_SOCKET: path.join(dataDir, "none.sock"),
      },
      timeoutMs: 300_000,
    });
    const get = async () => {
      const started = performance.now();
      const res = await fetch(`http://localhost:${port}/`, { headers: { Cookie: cookie }, redirect: "manual" });
      const body = await res.text();
      if (res.status !== 200 || !body.replace(/<!-- -->/g, "").includes(`most need attention of ${INSTANCES}`)) {
        throw new Error(`the dashboard answered ${res.status} without the fleet of ${INSTANCES}`);
      }
      return performance.now() - started;
    };
    for (let i = 0; i < 20; i++) await get(); // warm-up
    const times: number[] = [];
    for (let i = 0; i < REQUESTS; i++) times.push(await get());
    times.sort((a, b) => a - b);
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      fleet: { hosts: HOSTS, blackHoled: BLACK_HOLED, instances: INSTANCES, backups: INSTANCES * 5 },
      snapshots: {
        durationMs: snapshot.durationMs,
        unreachable: snapshot.unreachable.length,
        targetMs: 10_000,
        met: snapshot.durationMs <= 10_000,
      },
      dashboard: {
        requests: REQUESTS,
        p50Ms: Math.round(percentile(times, 50)),
        p95Ms: Math.round(percentile(times, 95)),
        maxMs: Math.round(times.at(-1)!),
        targetP95Ms: 200,
        met: percentile(times, 95) <= 200,
      },
    };
    mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    writeFileSync(path.join(ROOT, "bench-results", "dashboard.json"), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `[bench] dashboard, ${INSTANCES} instances: p50 ${result.dashboard.p50Ms} ms, p95 ${result.dashboard.p95Ms} ms, max ${result.dashboard.maxMs} ms (target p95 ≤ 200 ms: ${result.dashboard.met ? "met" : "MISSED"})`,
    );
    console.log(
      `[bench] snapshots: ${(result.snapshots.durationMs / 1000).toFixed(2)} s (target ≤ 10 s: ${result.snapshots.met ? "met" : "MISSED"})`,
    );
    console.log("[bench] written to bench-results/dashboard.json");
  } finally {
    await panel?.stop();
    await Promise.all(holes.map((h) => h.close()));
    await db.$disconnect();
    await dropTestDatabase(server, url);
    await server.embedded?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
