import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { E2E_PORT } from "../../playwright.config";
import { acquireTestServer, createTestDatabase, dropTestDatabase } from "../../test/support/test-database";
import { chromium, type FullConfig } from "@playwright/test";
import { addVirtualKey, enrol, inviteFromCommandLine } from "./auth";
import { ROOT, startPanel } from "./panel-process";
import { ensureRuntimeRole, runtimeUrl } from "../../lib/server/db/runtime-role";

/**
 * One panel for the browser tests: a fresh test database on the machine's
 * PostgreSQL (or an embedded one), a throw-away data directory, and a unix
 * socket standing for the machine's Docker socket, so the first-host
 * registration is exercised too.
 */
export default async function globalSetup(config: FullConfig) {
  const server = await acquireTestServer();
  const databaseUrl = await createTestDatabase(server, "e2e");
  const dataDir = mkdtempSync(path.join(tmpdir(), "paillasse-e2e-"));
  const socketPath = path.join(dataDir, "docker.sock");
  const socket = net.createServer((c) => c.destroy()); // a socket that refuses to talk (closing at once, so close() never waits)
  await new Promise<void>((resolve) => socket.listen(socketPath, resolve));

  // As in production: the owner migrates, the panel runs as a role that can only add to the audit trail.
  const runtimeRole = { name: "paillasse_app_e2e", password: randomBytes(18).toString("base64url") };
  await ensureRuntimeRole(databaseUrl, runtimeRole);

  const metricsToken = randomBytes(24).toString("base64url");
  const artifacts = path.join(ROOT, "test-results");
  mkdirSync(artifacts, { recursive: true });
  const panel = await startPanel({
    port: E2E_PORT,
    logFile: path.join(artifacts, "e2e-panel.log"),
    env: {
      DATABASE_OWNER_URL: databaseUrl,
      DATABASE_URL: runtimeUrl(databaseUrl, runtimeRole),
      PANEL_DATA_DIR: path.join(dataDir, "data"),
      DOCKER_SOCKET: socketPath,
      PANEL_HELPER_IMAGES: "paillasse-fixture/busybox:1",
      // Newer versions come from the test registry, as they would from Docker Hub.
      PANEL_REGISTRY_URL: process.env.PL_TEST_REGISTRY ?? "http://127.0.0.1:5555",
      // Lets the session-limit tests move the panel's clock forward (lib/clock.ts).
      PANEL_TEST_CLOCK_FILE: path.join(dataDir, "clock-offset-ms"),
      // Prometheus's bearer token for /api/metrics.
      PANEL_METRICS_TOKEN: metricsToken,
    },
  });
  process.env.E2E_DATA_DIR = dataDir;
  process.env.E2E_DATABASE_URL = databaseUrl;
  process.env.E2E_PORT = String(E2E_PORT);
  process.env.E2E_PANEL_DATA_DIR = path.join(dataDir, "data");
  // Specs that write audit events themselves key them with the panel's master key, found in its data directory.
  process.env.PANEL_DATA_DIR = path.join(dataDir, "data");
  process.env.E2E_CLOCK_FILE = path.join(dataDir, "clock-offset-ms");
  process.env.E2E_METRICS_TOKEN = metricsToken;

  const teardown = async () => {
    await panel.stop();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    await dropTestDatabase(server, databaseUrl);
    await server.embedded?.stop();
  };

  // The README's first run: invite from the command line, enrol a key in the browser.
  try {
    await firstRun();
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;

  async function firstRun() {
    const link = inviteFromCommandLine(
      { DATABASE_URL: databaseUrl, PANEL_URL: panel.url, PANEL_DATA_DIR: path.join(dataDir, "data") },
      "admin@unit.example",
    );
    const browser = await chromium.launch(config.projects[0]!.use.launchOptions);
    const page = await browser.newPage();
    await addVirtualKey(page);
    await enrol(page, link, "Setup key");
    await page.context().storageState({ path: path.join(artifacts, "e2e-admin-state.json") });
    await browser.close();
  }
}
