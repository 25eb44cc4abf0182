import { execFileSync } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** `npm run audit:verify` as an admin runs it, with this environment: its exit code and everything it printed. */
export function runAuditVerify(env: NodeJS.ProcessEnv): { code: number; output: string } {
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], {
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
