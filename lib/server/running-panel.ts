import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * What a running panel tells the command-line tools of the same data directory: its address and
 * its embedded PostgreSQL's port. `npm run operator:invite` then makes a link to the right port and
 * opens the right database, whatever settings the panel was started with. Written when the panel
 * is ready, removed when it stops; ignored when its process is gone.
 */
export interface RunningPanel {
  pid: number;
  panelUrl: string;
  embeddedPgPort: number | null;
}

const FILE = "running-panel.json";

export function writeRunningPanel(dataDir: string, panel: RunningPanel): void {
  writeFileSync(path.join(dataDir, FILE), `${JSON.stringify(panel)}\n`, { mode: 0o600 });
}

export function removeRunningPanel(dataDir: string, pid: number = process.pid): void {
  if (readRunningPanel(dataDir, { evenIfGone: true })?.pid === pid) rmSync(path.join(dataDir, FILE), { force: true });
}

export function readRunningPanel(dataDir: string, options: { evenIfGone?: boolean } = {}): RunningPanel | null {
  const file = path.join(dataDir, FILE);
  if (!existsSync(file)) return null;
  try {
    const panel = JSON.parse(readFileSync(file, "utf8")) as RunningPanel;
    if (typeof panel.pid !== "number" || typeof panel.panelUrl !== "string") return null;
    if (!options.evenIfGone) process.kill(panel.pid, 0); // throws when the process is gone
    return panel;
  } catch {
    return null;
  }
}

/** The invite command as the start message prints it: runnable as printed, from the panel's directory. */
export function inviteCommand(env: { PANEL_DATA_DIR: string }, root: string): string {
  const data = path.resolve(env.PANEL_DATA_DIR);
  const prefix = data === path.resolve(root, "data") ? "" : `PANEL_DATA_DIR='${data.replace(/'/g, `'\\''`)}' `;
  return `${prefix}npm run operator:invite -- --email you@unit.example --role admin`;
}
