/**
 * `npm start`: the one command that runs the panel in production mode.
 *
 * - validates the configuration (one clear line on error);
 * - with no master key configured, generates one into the data directory;
 * - with DATABASE_URL unset, runs an embedded PostgreSQL under the data directory;
 * - applies pending migrations, registers the local Docker socket as the first host;
 * - builds the app when the build is missing or older than the sources;
 * - serves the app with Next in this process, behind the trusted-network gate;
 * - on Ctrl-C stops the web server, then PostgreSQL, cleanly.
 */
import { spawnSync } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { loadApprovedModels } from "../lib/auth/key-models";
import { startJobs, type Jobs } from "../lib/server/jobs/jobs";
import { backupPaths, ConfigError, dataDir, parseEnv } from "../lib/env";
import { loadEnvFile } from "../lib/env-file";
import { ensureBackupIdentity } from "../lib/server/backups/identity";
import { smtpMailer } from "../lib/server/alerts/backup-alerts";
import { generateKeySpec, parseKeyRing } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../lib/server/db/embedded";
import { migrate, MigrationError } from "../lib/server/db/migrate";
import { sealUnkeyedTrail } from "../lib/server/audit/verify-audit-chain";
import {
  ensureRuntimeRole,
  grantQueueToRuntimeRole,
  grantRuntimeRole,
  RUNTIME_ROLE,
  runtimeUrl,
} from "../lib/server/db/runtime-role";
import { createPrismaClient } from "../lib/server/db/client";
import { registerLocalSocket } from "../lib/server/hosts/register-local-socket";
import { checkClient, parseCidrs } from "../lib/server/network/client-address";
import { badAddressAnswer, refusalPage, undecodablePath } from "../lib/server/network/refusal-page";
import { noteGateRefusal } from "../lib/server/network/gate-refusals";
import { cleanRequestId, log, pathOnly } from "../lib/log";
import { randomBytes, randomUUID } from "node:crypto";
import { msg } from "../lib/i18n/message";
import { inviteCommand, removeRunningPanel, writeRunningPanel } from "../lib/server/running-panel";

const root = path.resolve(import.meta.dirname, "..");
const say = (line: string) => log().info(line);

async function main(): Promise<void> {
  const envFile = loadEnvFile(root, say);
  if (envFile) say(`Settings read from ${envFile} (the environment wins over it).`);
  const env = parseEnv();
  const data = dataDir(env);
  mkdirSync(data, { recursive: true, mode: 0o700 });

  const masterKey = ensureMasterKey(env.PANEL_SECRET_KEY, data);
  const backup = await ensureBackupIdentity(backupPaths(env).identityFile);
  say(
    backup.created
      ? `Created the backup identity ${backup.identity.file} (public key ${backup.identity.recipient}). Keep a copy of this file offline: it opens every backup.`
      : `Backup identity: ${backup.identity.recipient}.`,
  );
  if (env.PANEL_APPROVED_KEY_MODELS_FILE) {
    const models = loadApprovedModels(env.PANEL_APPROVED_KEY_MODELS_FILE);
    say(`Strict key policy: ${models.length} approved model(s): ${models.map((m) => m.description).join(", ")}.`);
  }
  if (env.PANEL_TEST_CLOCK_FILE) {
    say(`PANEL_TEST_CLOCK_FILE is set: the clock can be moved by ${env.PANEL_TEST_CLOCK_FILE}. For tests only.`);
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    say(`DATABASE_URL is not set: starting the embedded PostgreSQL (data in ${path.join(data, "postgres")}).`);
    embedded = await startEmbeddedPostgres({
      dir: data,
      port: env.EMBEDDED_PG_PORT,
      database: "paillasse",
      log: say,
    });
    databaseUrl = embedded.url;
    process.env.PAILLASSE_EMBEDDED_DB = "1";
  }
  // The owner runs the migrations and the job queue's schema; the panel itself runs as a runtime role that can
  // only add to the audit trail (runtime-role.ts). Embedded: that role is created here, its password beside the
  // cluster's. External: DATABASE_OWNER_URL names the owner when the operator separated the two.
  const ownerUrl = embedded ? embedded.url : (env.DATABASE_OWNER_URL ?? databaseUrl);
  let runtime: { url: string; role: string } | null = null;
  if (embedded) {
    const passwordFile = path.join(data, "postgres-runtime.password");
    if (!existsSync(passwordFile))
      writeFileSync(passwordFile, randomBytes(24).toString("base64url") + "\n", { mode: 0o600 });
    const role = { name: RUNTIME_ROLE, password: readFileSync(passwordFile, "utf8").trim() };
    runtime = { url: runtimeUrl(ownerUrl, role), role: role.name };
  } else if (env.DATABASE_OWNER_URL) {
    runtime = { url: databaseUrl, role: decodeURIComponent(new URL(databaseUrl).username) };
  }

  let stopping = false;
  let jobs: Jobs | undefined;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    removeRunningPanel(data);
    if (jobs) {
      say("Stopping background jobs…");
      await jobs.stop();
      say("Background jobs stopped.");
    }
    if (embedded) {
      say("Stopping the embedded PostgreSQL…");
      await embedded
        .stop()
        .catch((error: Error) => say(`The embedded PostgreSQL did not stop cleanly: ${error.message}`));
      say("Embedded PostgreSQL stopped.");
    }
    process.exit(code);
  };

  try {
    const { applied } = await migrate(ownerUrl, path.join(root, "prisma", "migrations"), say);
    say(
      applied.length
        ? `Database schema up to date (${applied.length} migration(s) applied).`
        : "Database schema up to date.",
    );
    if (runtime && embedded) {
      const password = decodeURIComponent(new URL(runtime.url).password);
      await ensureRuntimeRole(ownerUrl, { name: runtime.role, password });
    } else if (runtime) {
      await grantRuntimeRole(ownerUrl, runtime.role);
    }
    if (runtime) {
      databaseUrl = runtime.url;
      say(`The panel runs as the database role ${runtime.role}: it can add to the audit trail, never change it.`);
    }
    process.env.DATABASE_URL = databaseUrl;

    const db = createPrismaClient(databaseUrl);
    try {
      const sealed = await sealUnkeyedTrail(db);
      if (sealed) say(`Audit trail: ${sealed} event(s) from before the keyed chain sealed by a keyed event.`);
      if ((await registerLocalSocket(db, env.DOCKER_SOCKET)) === "registered") {
        say(`Registered the local Docker socket ${env.DOCKER_SOCKET} as the first host ("local").`);
      }
    } finally {
      await db.$disconnect();
    }

    if (buildIsStale()) {
      say("Building the panel (first start or sources changed)…");
      const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", env: process.env });
      if (build.status !== 0) throw new AppError("internal", "The build failed; see the output above.");
    }
    jobs = await startJobs({
      databaseUrl,
      queueUrl: ownerUrl,
      ring: parseKeyRing(masterKey),
      log: say,
      helperImages: env.PANEL_HELPER_IMAGES,
      mailer: env.PANEL_SMTP_URL ? smtpMailer(env.PANEL_SMTP_URL, env.PANEL_SMTP_FROM) : null,
      panelUrl: env.PANEL_URL,
      retention: {
        sessionDays: env.PANEL_SESSION_RETENTION_DAYS,
        operationLogDays: env.PANEL_OPERATION_LOG_RETENTION_DAYS,
      },
      registry: {
        url: env.PANEL_REGISTRY_URL,
        username: env.PANEL_REGISTRY_USERNAME,
        password: env.PANEL_REGISTRY_PASSWORD,
      },
    });
    // The queue's schema exists now: the runtime role may send jobs and read its version.
    if (runtime) await grantQueueToRuntimeRole(ownerUrl, runtime.role);
    say("Background jobs started (host snapshots every minute).");
  } catch (error) {
    report(error);
    await shutdown(1);
    return;
  }

  // Next runs in this process behind a gate: a request from outside the
  // trusted networks is refused before any application code sees it.
  (process.env as Record<string, string>).NODE_ENV = "production";
  process.env.NEXTAUTH_URL = env.PANEL_URL;
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: root, hostname: env.PANEL_HOST, port: env.PANEL_PORT });
  const handle = app.getRequestHandler();
  await app.prepare();
  const gate = {
    trustedNetworks: parseCidrs(env.PANEL_TRUSTED_NETWORKS),
    trustedProxies: parseCidrs(env.PANEL_TRUSTED_PROXIES),
  };
  const access = log().child({ component: "http" });
  const server = http.createServer((req, res) => {
    const forwarded = req.headers["x-forwarded-for"];
    const verdict = checkClient(
      req.socket.remoteAddress,
      Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
      gate,
    );
    // One id per request: a trusted front's (when it sent a sane one) or a new one; in every log line
    // about the request, and sent back so a user's report can be matched to the log.
    const fromFront =
      verdict.allow && gate.trustedProxies.length > 0 ? cleanRequestId(req.headers["x-request-id"]) : null;
    const reqId = fromFront ?? randomUUID();
    req.headers["x-request-id"] = reqId;
    res.setHeader("X-Request-Id", reqId);
    const started = process.hrtime.bigint();
    const urlPath = pathOnly(req.url);
    if (!urlPath.startsWith("/_next/static/")) {
      res.once("finish", () => {
        access.info(
          {
            reqId,
            method: req.method,
            path: urlPath,
            status: res.statusCode,
            ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
            client: verdict.client,
          },
          "request",
        );
      });
    }
    if (!verdict.allow) {
      noteGateRefusal(verdict.client, (fields, message) => access.warn(fields, message));
      res.writeHead(403, {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
      });
      res.end(refusalPage(verdict.client));
      return;
    }
    if (undecodablePath(req.url)) {
      const answer = badAddressAnswer(req.url);
      res.writeHead(400, { "Content-Type": answer.type, "Cache-Control": "no-store", "X-Frame-Options": "DENY" });
      res.end(answer.body);
      return;
    }
    // What the application sees is the address the gate judged, never a header the client wrote; and
    // "this came over HTTPS" only from a trusted proxy (a client could write it to get a Secure cookie
    // decision or an https link made for it).
    if (!verdict.viaTrustedProxy) {
      delete req.headers["x-forwarded-proto"];
      delete req.headers["x-forwarded-host"];
    }
    req.headers["x-forwarded-for"] = verdict.client!;
    req.headers["x-paillasse-client-ip"] = verdict.client!;
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PANEL_PORT, env.PANEL_HOST, () => resolve());
  }).catch(async (error: NodeJS.ErrnoException) => {
    report(
      new AppError(
        "config",
        msg`Cannot listen on ${env.PANEL_HOST}:${env.PANEL_PORT} (${error.code ?? error.message}).`,
        {
          hint: "Another program may use that port: set PANEL_PORT to a free one.",
        },
      ),
    );
    await shutdown(1);
  });
  say(`Paillasse is ready on ${env.PANEL_URL} (listening on ${env.PANEL_HOST}:${env.PANEL_PORT}).`);
  say(`Trusted networks: ${env.PANEL_TRUSTED_NETWORKS.join(", ")}.`);
  // The invite command finds this panel (its address, its embedded database) through the data directory.
  writeRunningPanel(data, {
    pid: process.pid,
    panelUrl: env.PANEL_URL,
    embeddedPgPort: embedded ? env.EMBEDDED_PG_PORT : null,
  });
  say("First start? Create the first admin, then open the link it prints with your security key at hand:");
  say(`  ${inviteCommand(env, root)}`);
  if (env.DATABASE_URL && !envFile) {
    say("  (in an environment with the same DATABASE_URL as this panel's: it names the database to write to)");
  }

  let stopRequested = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopRequested) {
        // A second Ctrl-C means now.
        say(`${signal} received again: stopping at once.`);
        void shutdown(1);
        return;
      }
      stopRequested = true;
      say(`${signal} received: stopping.`);
      // Never hang on the way out: whatever Next is waiting for, stop after 15 s.
      setTimeout(() => {
        say("The web server did not stop within 15 s: stopping anyway.");
        void shutdown(1);
      }, 15_000).unref();
      server.close();
      server.closeAllConnections();
      void app
        .close()
        .catch(() => {})
        .finally(() => void shutdown(0));
    });
  }
}

/** The master key ring specification: the configured one, or the one in data/master.key (created if missing). */
function ensureMasterKey(configured: string | undefined, data: string): string {
  if (configured) {
    parseKeyRing(configured);
    return configured;
  }
  const keyFile = path.join(data, "master.key");
  if (!existsSync(keyFile)) {
    writeFileSync(keyFile, generateKeySpec() + "\n", { mode: 0o600 });
    say(`No PANEL_SECRET_KEY set: generated a master key in ${keyFile} (mode 600).`);
    say("Back this file up apart from the database: without it, stored secrets cannot be read.");
  }
  const spec = readFileSync(keyFile, "utf8").trim();
  parseKeyRing(spec);
  process.env.PANEL_SECRET_KEY_FILE = keyFile;
  return spec;
}

/** True when there is no production build or a source file is newer than it. */
function buildIsStale(): boolean {
  const stamp = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(stamp)) return true;
  const builtAt = statSync(stamp).mtimeMs;
  const sources = ["app", "components", "lib", "public", "next.config.ts", "package-lock.json", "prisma/schema.prisma"];
  const newer = (p: string): boolean => {
    if (!existsSync(p)) return false;
    const st = statSync(p);
    if (st.isDirectory()) {
      if (path.basename(p) === "generated") return false;
      return readdirSync(p).some((name) => newer(path.join(p, name)));
    }
    return st.mtimeMs > builtAt;
  };
  return sources.some((s) => newer(path.join(root, s)));
}

function report(error: unknown): void {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(`[paillasse] ${error.message}`);
  } else if (error instanceof AppError) {
    console.error(`[paillasse] ${error.message}${error.hint ? ` ${error.hint}` : ""}`);
  } else {
    console.error(`[paillasse] Start failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

main().catch((error) => {
  report(error);
  process.exit(1);
});
