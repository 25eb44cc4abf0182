import { execSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { addVirtualKey, enrol } from "./support/auth";
import { freePort, ROOT, startPanel } from "./support/panel-process";

test.use({ storageState: { cookies: [], origins: [] } });

/**
 * The README's start command with no configuration at all: an embedded
 * PostgreSQL under the data directory, a generated master key, and a second
 * start that finds everything the first one left.
 */
test("npm start runs on an embedded PostgreSQL, and a second start reuses its data", async ({ page }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.join(tmpdir(), "paillasse-start-"));
  chmodSync(dir, 0o711); // the embedded server runs as the postgres user when we are root
  const dataDir = path.join(dir, "data");
  const port = await freePort();
  const pgPort = await freePort();
  const socketPath = path.join(dir, "docker.sock");
  const socket = net.createServer((c) => c.destroy()); // a socket that refuses to talk (closing at once, so close() never waits)
  await new Promise<void>((resolve) => socket.listen(socketPath, resolve));
  const logFile = path.join(dir, "panel.log");
  const env = { PANEL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort) };

  // First start: nothing exists yet.
  const first = await startPanel({ port, logFile, env: { ...env, DOCKER_SOCKET: socketPath } });
  expect(first.output()).toContain("DATABASE_URL is not set: starting the embedded PostgreSQL");
  expect(first.output()).toContain("generated a master key");
  expect(first.output()).toContain(`Registered the local Docker socket ${socketPath}`);
  const keyFile = path.join(dataDir, "master.key");
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  const key = readFileSync(keyFile, "utf8");
  expect(existsSync(path.join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
  // The invite command exactly as the start message prints it, run in a shell that has none of the
  // panel's settings (its port, its embedded database's port): it finds the running panel through its data
  // directory, and the link points at the panel's own port; the link enrols a key.
  const printed = /"msg":"\s+((?:PANEL_DATA_DIR='[^']*' )?npm run operator:invite [^"]*)"/.exec(first.output())?.[1];
  expect(printed).toBeTruthy();
  expect(printed).toContain(`PANEL_DATA_DIR='${dataDir}'`);
  const invited = execSync(printed!.replace("you@unit.example", "first.admin@unit.example"), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "production" },
    encoding: "utf8",
  });
  const link = /(https?:\/\/\S+\/enrol#[A-Za-z0-9_-]{43})/.exec(invited)?.[1] ?? "";
  expect(link.startsWith(`${first.url}/enrol#`)).toBe(true);
  await addVirtualKey(page);
  await enrol(page, link);
  await page.goto(`${first.url}/settings`);
  await expect(page.getByText("Embedded PostgreSQL (data directory)")).toBeVisible();
  await page.goto(`${first.url}/hosts`);
  await expect(page.getByRole("row", { name: /local/ })).toBeVisible();

  // Ctrl-C stops Next, then PostgreSQL, cleanly.
  expect(await first.stop()).toBe(0);
  expect(first.output()).toContain("Stopping the embedded PostgreSQL");
  // Quietly: the job queue stops before the database, and its closing connections are no error.
  expect(first.output()).not.toMatch(/Job queue (error|stop)|terminating connection/);
  expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
  await new Promise<void>((resolve) => socket.close(() => resolve()));

  // Second start: same data directory, no socket any more. The host row
  // registered by the first start is still there, the key is unchanged.
  const second = await startPanel({ port, logFile, env: { ...env, DOCKER_SOCKET: path.join(dir, "gone.sock") } });
  try {
    expect(second.output()).not.toContain("Creating the embedded PostgreSQL cluster");
    expect(second.output()).not.toContain("generated a master key");
    expect(second.output()).toContain("Database schema up to date.");
    expect(readFileSync(keyFile, "utf8")).toBe(key);
    // The session survives a restart (same database, same master key), and the
    // host row registered by the first start is still there.
    await page.goto(`${second.url}/hosts`);
    await expect(page.getByRole("row", { name: /local/ })).toContainText("Unix socket");
  } finally {
    expect(await second.stop()).toBe(0);
  }
});

test("a bad configuration stops the start with one line naming the variable", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "paillasse-badconf-"));
  const failing = startPanel({
    port: await freePort(),
    logFile: path.join(dir, "panel.log"),
    env: { PANEL_DATA_DIR: path.join(dir, "data"), EMBEDDED_PG_PORT: "fifty" },
    timeoutMs: 30_000,
  });
  const error = await failing.then(
    () => null,
    (e: Error) => e.message,
  );
  expect(error).toContain("exited with code 1");
  const output = error!.split("\n").slice(1).join("\n").trim();
  expect(output.split("\n").filter((l) => l.trim() && !l.startsWith(">"))).toEqual([
    '[paillasse] Configuration error: EMBEDDED_PG_PORT must be a port number between 1 and 65535 (got "fifty").',
  ]);
  expect(output).not.toMatch(/at .*\(.*:\d+:\d+\)/);
});
