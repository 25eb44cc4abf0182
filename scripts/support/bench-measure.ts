/**
 * What the benchmarks measure with: wall time, CPU-seconds per process (the panel, dockerd, the
 * database container, and the rest of the machine), the panel's RSS growth, median and spread.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { TEST_SOCKET } from "../../test/support/docker";

export const round1 = (n: number) => Math.round(n * 10) / 10;

/** CPU ticks of a process (utime + stime), in seconds. */
export function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
/** All CPU time the machine spent, in seconds (every core). */
export function machineCpu(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  return (cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!) / 100;
}
/** A container's CPU seconds from its cgroup (v2, or v1's cpuacct). */
export function containerCpu(id: string): number {
  for (const dir of [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, `/sys/fs/cgroup/docker/${id}`]) {
    try {
      const usec = /usage_usec (\d+)/.exec(readFileSync(path.join(dir, "cpu.stat"), "utf8"))?.[1];
      if (usec) return Number(usec) / 1e6;
    } catch {
      // another cgroup layout
    }
  }
  try {
    return Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, "utf8")) / 1e9;
  } catch {
    return NaN;
  }
}

export interface Measured {
  wallS: number;
  cpuS: { panel: number; dockerd: number; database: number; rest: number };
  rssGrowthMiB: number;
}

export async function measure(dockerdPid: number, databaseId: string, run: () => Promise<unknown>): Promise<Measured> {
  const before = {
    panel: process.cpuUsage(),
    dockerd: processCpu(dockerdPid),
    database: containerCpu(databaseId),
    machine: machineCpu(),
  };
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(before.panel);
  const panel = (used.user + used.system) / 1e6;
  const dockerd = processCpu(dockerdPid) - before.dockerd;
  const database = containerCpu(databaseId) - before.database;
  const machine = machineCpu() - before.machine;
  return {
    wallS: round1(wallS),
    cpuS: {
      panel: round1(panel),
      dockerd: round1(dockerd),
      database: round1(database),
      rest: round1(Math.max(0, machine - panel - dockerd - (Number.isNaN(database) ? 0 : database))),
    },
    rssGrowthMiB: Math.round((peak - baseline) / 2 ** 20),
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const summary = (xs: number[]) => ({
  median: round1(median(xs)),
  min: round1(Math.min(...xs)),
  max: round1(Math.max(...xs)),
});

export function docker(args: string[], input?: { from: string[] }): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DOCKER_HOST: `unix://${TEST_SOCKET}` };
    const target = spawn("docker", args, { env, stdio: [input ? "pipe" : "ignore", "ignore", "inherit"] });
    if (input) {
      const source = spawn("docker", input.from, { env, stdio: ["ignore", "pipe", "inherit"] });
      source.stdout.pipe(target.stdin!);
      source.on("exit", (code) =>
        code === 0 ? undefined : reject(new Error(`docker ${input.from[0]} exited ${code}`)),
      );
    }
    target.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker ${args[0]} exited ${code}`))));
  });
}
