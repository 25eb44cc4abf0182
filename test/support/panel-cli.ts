import { execFileSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** A command-line tool of scripts/ run as an admin runs it (`npm run …`), with this environment: exit code and output. */
export function runPanelScript(
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): { code: number; output: string } {
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", `scripts/${script}`, ...args], {
      cwd: ROOT,
      env,
      encoding: "utf8",
      stdio: "pipe",
    });
    return { code: 0, output: out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: e.stdout + e.stderr };
  }
}

/** `npm run audit:verify` with this environment. */
export const runAuditVerify = (env: NodeJS.ProcessEnv) => runPanelScript("audit-verify.ts", env);
