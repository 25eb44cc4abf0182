import {
  connectNetwork,
  createContainer,
  createNetwork,
  execCapture,
  inspectContainer,
  pullImage,
  removeContainer,
  startContainer,
  type DockerClient,
} from "../../lib/docker";
import { TEST_LABEL, uniqueName } from "./docker";

/** A database server (mysql:8.0 stand-in) on its own network, shared by a test file. */
export interface TestDatabase {
  network: string;
  container: string;
  rootPassword: string;
  userPassword: string;
}

export const REFERENCE_DB_HEALTHCHECK = [
  "CMD-SHELL",
  'mysql --user=$MYSQL_USER --password=$MYSQL_PASSWORD --execute "SHOW DATABASES;"',
];

export async function startDatabase(
  client: DockerClient,
  run: string,
  o: { cmd?: string[]; labels?: Record<string, string> } = {},
): Promise<TestDatabase> {
  await pullImage(client, "mysql:8.0");
  const network = uniqueName("net");
  await createNetwork(client, network, { labels: { [TEST_LABEL]: run } });
  const db: TestDatabase = {
    network,
    container: uniqueName("mysql"),
    rootPassword: "root-" + uniqueName("pw"),
    userPassword: "user-" + uniqueName("pw"),
  };
  await createContainer(client, {
    name: db.container,
    image: "mysql:8.0",
    env: {
      MYSQL_ROOT_PASSWORD: db.rootPassword,
      MYSQL_DATABASE: "elabftw",
      MYSQL_USER: "elabftw",
      MYSQL_PASSWORD: db.userPassword,
      TZ: "Europe/Paris",
    },
    labels: { ...o.labels, [TEST_LABEL]: run },
    ...(o.cmd ? { cmd: o.cmd } : {}),
    // Checked every half second while it starts (not at the 5 s cadence): the fixture is ready when it is.
    healthcheck: {
      test: REFERENCE_DB_HEALTHCHECK,
      intervalMs: 5_000,
      timeoutMs: 5_000,
      retries: 10,
      startPeriodMs: 60_000,
      startIntervalMs: 500,
    },
    network: { name: network, aliases: ["mysql"] },
  });
  await startContainer(client, db.container);
  await waitHealthy(client, db.container, 60_000);
  return db;
}

export async function waitHealthy(client: DockerClient, container: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const details = await inspectContainer(client, container);
    if (details.state.health === "healthy") return;
    if (!details.state.running) throw new Error(`${container} stopped (exit ${details.state.exitCode})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${container} did not become healthy in ${timeoutMs} ms`);
}

/** Run SQL as root on the test database server; returns tab-separated rows. */
export async function rootSql(client: DockerClient, db: TestDatabase, sql: string, database = ""): Promise<string[][]> {
  const result = await execCapture(client, db.container, {
    cmd: ["mysql", "--batch", "--skip-column-names", "-uroot", ...(database ? [database] : []), "-e", sql],
    env: { MYSQL_PWD: db.rootPassword },
  });
  if (result.exitCode !== 0) throw new Error(`SQL failed: ${result.stderr}`);
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("\t"));
}

/** A fresh empty database for one test, usable by the elabftw user. */
export async function freshSchema(client: DockerClient, db: TestDatabase): Promise<string> {
  const name = uniqueName("elab").replace(/-/g, "_");
  await rootSql(
    client,
    db,
    `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci; GRANT ALL ON ${name}.* TO 'elabftw'@'%';`,
  );
  return name;
}

export interface WebOptions {
  image: string;
  database: string;
  secretKey: string;
  env?: Record<string, string | undefined>;
  /** A named volume mounted at /elabftw/uploads (as every real installation mounts one). */
  uploadsVolume?: string;
  restartPolicy?: "no" | "always" | "unless-stopped" | "on-failure";
  aliases?: string[];
  labels?: Record<string, string>;
}

/** Start an eLabFTW web container (stand-in image) against the test database server. */
export async function startWeb(
  client: DockerClient,
  run: string,
  db: TestDatabase,
  options: WebOptions,
): Promise<string> {
  await pullImage(client, options.image);
  const name = uniqueName("elabftw");
  const env: Record<string, string> = {};
  const wanted: Record<string, string | undefined> = {
    DB_HOST: "mysql",
    DB_NAME: options.database,
    DB_USER: "elabftw",
    DB_PASSWORD: db.userPassword,
    SECRET_KEY: options.secretKey,
    SITE_URL: "https://elab.unit.example",
    ...options.env,
  };
  for (const [k, v] of Object.entries(wanted)) if (v !== undefined) env[k] = v;
  await createContainer(client, {
    name,
    image: options.image,
    env,
    labels: { [TEST_LABEL]: run, ...options.labels },
    capDrop: ["ALL"],
    capAdd: ["CHOWN", "SETGID", "SETUID", "FOWNER", "DAC_OVERRIDE"],
    securityOpt: ["no-new-privileges:true"],
    network: { name: db.network, aliases: options.aliases },
    restartPolicy: options.restartPolicy,
    ...(options.uploadsVolume ? { volumes: { [options.uploadsVolume]: "/elabftw/uploads" } } : {}),
  });
  await startContainer(client, name);
  return name;
}

export async function replaceWeb(
  client: DockerClient,
  run: string,
  db: TestDatabase,
  old: string,
  options: WebOptions,
): Promise<string> {
  await removeContainer(client, old, { force: true });
  return startWeb(client, run, db, options);
}

export async function console_(client: DockerClient, web: string, ...args: string[]) {
  return execCapture(client, web, { cmd: ["bin/console", ...args] });
}

export async function init(client: DockerClient, web: string, ...args: string[]) {
  return execCapture(client, web, { cmd: ["bin/init", ...args] });
}

/**
 * An HTTP request made from inside the web container (as the panel checks
 * health: no network path from the panel to the instance is needed).
 */
export async function httpInside(
  client: DockerClient,
  web: string,
  path: string,
  scheme: "https" | "http" = "https",
  request: { method?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const data = request.body === undefined ? "None" : `${JSON.stringify(request.body)}.encode()`;
  const script = [
    "import json,ssl,sys,urllib.request,urllib.error",
    `req=urllib.request.Request('${scheme}://127.0.0.1:443${path}', data=${data}, method=${JSON.stringify(request.method ?? "GET")}, headers=json.loads(${JSON.stringify(JSON.stringify(request.headers ?? {}))}))`,
    "ctx=ssl._create_unverified_context()",
    "try:",
    " r=urllib.request.urlopen(req,context=ctx,timeout=10); out={'status':r.status,'body':r.read().decode(),'location':r.headers.get('Location')}; out={k:v for k,v in out.items() if v is not None}",
    "except urllib.error.HTTPError as e: out={'status':e.code,'body':e.read().decode()}",
    "except Exception as e: out={'status':0,'body':repr(e)}",
    "print(json.dumps(out))",
  ].join("\n");
  for (let attempt = 0; attempt < 40; attempt++) {
    const result = await execCapture(client, web, { cmd: ["python3", "-c", script] });
    const parsed = JSON.parse(result.stdout) as { status: number; body: string; location?: string };
    // Give the server a moment to listen after a start.
    if (parsed.status !== 0) return parsed;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the web server of ${web} never listened on 443`);
}

export { connectNetwork };
