import { isAlmostTherePage } from "./elabftw-console";
import { webLayoutOf } from "./elabftw-releases";
import { execCapture, type DockerClient } from "../../docker";

/**
 * Usage figures from eLabFTW's own API (`GET /api/v2/info`),
 * asked from inside the web container like the health check, so no network
 * path from the panel is needed. The API key travels in the exec's
 * environment, never on a command line.
 */
export interface Usage {
  elabftwVersion: string | null;
  users: number;
  activeUsers: number;
  teams: number;
  experiments: number;
  timestampedExperiments: number;
  items: number;
  /** Sum of the uploads' sizes (eLabFTW 5.1.0 and later). */
  uploadsBytes: number | null;
}

export type UsageReading = { configured: false } | { configured: true; usage: Usage | null; error: string | null };

/** An eLabFTW API key as its UI shows it: "<id>-<hex key>". */
export const API_KEY_PATTERN = /^\d{1,10}-[0-9a-f]{20,256}$/;

const whole = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null);

/** Read the /api/v2/info document; null when it is not one. */
export function parseInfo(body: string): Usage | null {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!doc || typeof doc !== "object") return null;
  const counts = {
    users: whole(doc.all_users_count),
    activeUsers: whole(doc.active_users_count),
    teams: whole(doc.teams_count),
    experiments: whole(doc.experiments_count),
    timestampedExperiments: whole(doc.experiments_timestamped_count) ?? 0,
    items: whole(doc.items_count),
  };
  if (Object.values(counts).some((v) => v === null)) return null;
  return {
    elabftwVersion: typeof doc.elabftw_version === "string" ? doc.elabftw_version : null,
    ...(counts as { [K in keyof typeof counts]: number }),
    uploadsBytes: whole(doc.uploads_filesize_sum),
  };
}

/** Explain an answer that carries no figures, in words an operator can act on. */
export function usageProblem(status: number, body: string): string {
  if (status === 401 || status === 403) {
    return `eLabFTW refused the API key (HTTP ${status}): it may have been deleted. Create a read-only key in eLabFTW (user settings → API keys) and set it again.`;
  }
  if (isAlmostTherePage(status, body)) {
    return "eLabFTW answered its “Almost there!” page: a database schema update is pending.";
  }
  return `eLabFTW's /api/v2/info answered HTTP ${status} without usage figures.`;
}

export async function fetchUsage(
  client: DockerClient,
  web: { id: string; env: Record<string, string>; labels: Record<string, string>; mounts?: { destination: string }[] },
  apiKey: string,
): Promise<{ usage: Usage | null; error: string | null }> {
  const scheme = web.env.DISABLE_HTTPS === "true" ? "http" : "https";
  const result = await execCapture(client, web.id, {
    cmd: [
      "sh",
      "-c",
      'curl -sk --max-time 20 -H "Authorization: $PAILLASSE_ELABFTW_KEY" -w "\\n%{http_code}" "$0"',
      `${scheme}://127.0.0.1:${webLayoutOf(web).containerPort}/api/v2/info`,
    ],
    env: { PAILLASSE_ELABFTW_KEY: apiKey },
    maxBytes: 1024 * 1024,
  });
  if (result.exitCode !== 0) {
    return { usage: null, error: `the web server did not answer inside the container (curl exit ${result.exitCode})` };
  }
  const cut = result.stdout.lastIndexOf("\n");
  const status = Number(result.stdout.slice(cut + 1));
  const body = result.stdout.slice(0, cut);
  const usage = status === 200 ? parseInfo(body) : null;
  return usage ? { usage, error: null } : { usage: null, error: usageProblem(status, body) };
}
