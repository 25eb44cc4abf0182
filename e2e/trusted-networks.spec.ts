import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  acquireTestServer,
  createTestDatabase,
  dropTestDatabase,
  type TestServer,
} from "../test/support/test-database";
import { freePort, startPanel, type PanelProcess } from "./support/panel-process";

/**
 * Deny by default: the panel answers only clients in PANEL_TRUSTED_NETWORKS.
 * Here the trusted network is one this machine is not on, so the browser (on
 * loopback) is outside it.
 */
test.describe("trusted networks", () => {
  let server: TestServer;
  let databaseUrl: string;
  let panel: PanelProcess | undefined;

  test.beforeAll(async () => {
    server = await acquireTestServer();
    databaseUrl = await createTestDatabase(server, "gate");
  });
  test.afterEach(async () => {
    await panel?.stop();
    panel = undefined;
  });
  test.afterAll(async () => {
    await dropTestDatabase(server, databaseUrl);
    await server.embedded?.stop();
  });

  async function start(env: Record<string, string>) {
    const dir = mkdtempSync(path.join(tmpdir(), "paillasse-gate-"));
    panel = await startPanel({
      port: await freePort(),
      logFile: path.join(dir, "panel.log"),
      readyStatus: 403,
      env: {
        DATABASE_URL: databaseUrl,
        PANEL_DATA_DIR: path.join(dir, "data"),
        DOCKER_SOCKET: path.join(dir, "none.sock"),
        PANEL_TRUSTED_NETWORKS: "10.99.0.0/16",
        ...env,
      },
    });
    return panel;
  }

  test("a client outside the trusted networks gets a 403 page that says what to do, whatever it claims", async ({
    page,
  }) => {
    const { url } = await start({});
    const response = await page.goto(`${url}/hosts`);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access refused: not on a trusted network" })).toBeVisible();
    await expect(page.getByText("Your address (127.0.0.1) is not one of them")).toBeVisible();
    await expect(page.getByText("Connect to the VPN")).toBeVisible();

    // A header is not an address: X-Forwarded-For from an untrusted peer is ignored.
    const spoofed = await fetch(`${url}/`, { headers: { "X-Forwarded-For": "10.99.0.5" } });
    expect(spoofed.status).toBe(403);
    expect(await spoofed.text()).not.toContain("Sign in with your security key");
    // The operator's log says so, once for this client this minute (the refusals are counted, not each logged).
    const logged = panel!
      .output()
      .split("\n")
      .filter((l) => l.includes("refused a request from outside the trusted networks"));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(2);
    expect(logged[0]).toContain('"client":"127.0.0.1"');
  });

  test("behind a trusted reverse proxy, the forwarded client address decides", async () => {
    const { url } = await start({ PANEL_TRUSTED_PROXIES: "127.0.0.1" });
    const viaProxy = await fetch(`${url}/`, { headers: { "X-Forwarded-For": "10.99.0.5" } });
    expect(viaProxy.status).toBe(200); // the sign-in page, after the redirect
    expect(await viaProxy.text()).toContain("Sign in with your security key");
    const prepended = await fetch(`${url}/`, { headers: { "X-Forwarded-For": "10.99.0.5, 203.0.113.9" } });
    expect(prepended.status).toBe(403);
    const direct = await fetch(`${url}/`);
    expect(direct.status).toBe(403);
  });
});
