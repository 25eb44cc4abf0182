import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import { isMap, isScalar, isSeq, parseDocument, type Scalar } from "yaml";
import { putArchive, readSmallFiles, runToCompletion, type DockerClient } from "../../docker";
import { withComposeHelper } from "../upgrades/compose-sync";

/**
 * A recovered instance's compose file, as its restore point recorded it, with the operator's
 * adjustments made in it (the web service's SITE_URL and the host side of its published port), so
 * that a later `docker compose up` on the new host brings back what the recovery created, not the
 * old address. The text is spliced (comments and every other line stay). An adjustment this cannot
 * make in the file itself (a value from a variable, an env_file, a port range) is said instead: the
 * file is then only written beside, and the containers are not claimed for compose.
 */
export interface ComposeAdjustments {
  siteUrl?: string;
  publishedPort?: number;
}

const quoteLike = (node: Scalar, value: string) =>
  node.type === "QUOTE_DOUBLE" ? JSON.stringify(value) : node.type === "QUOTE_SINGLE" ? `'${value}'` : value;

export function adjustComposeText(
  text: string,
  service: string,
  adjust: ComposeAdjustments,
  containerPort: number,
): { text: string; found: { siteUrl: boolean; publishedPort: boolean } } {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`it is not valid YAML (${doc.errors[0]!.message.split("\n")[0]})`);
  const services = doc.get("services", true);
  const entry = isMap(services) ? services.get(service, true) : null;
  const found = { siteUrl: false, publishedPort: false };
  if (!isMap(entry)) return { text, found };
  const edits: { start: number; end: number; text: string }[] = [];

  const environment = entry.get("environment", true);
  if (adjust.siteUrl) {
    if (isSeq(environment)) {
      for (const item of environment.items) {
        if (isScalar(item) && item.range && typeof item.value === "string" && item.value.startsWith("SITE_URL=")) {
          if (item.value.includes("$")) throw new Error("its SITE_URL comes from a variable");
          edits.push({ start: item.range[0], end: item.range[1], text: quoteLike(item, `SITE_URL=${adjust.siteUrl}`) });
          found.siteUrl = true;
        }
      }
    } else if (isMap(environment)) {
      const value = environment.get("SITE_URL", true);
      if (isScalar(value) && value.range) {
        if (String(value.value).includes("$")) throw new Error("its SITE_URL comes from a variable");
        edits.push({ start: value.range[0], end: value.range[1], text: quoteLike(value, adjust.siteUrl) });
        found.siteUrl = true;
      }
    }
  }

  const ports = entry.get("ports", true);
  if (adjust.publishedPort && isSeq(ports)) {
    for (const item of ports.items) {
      if (isScalar(item) && item.range) {
        // "443:443", "127.0.0.1:8443:443", "8443:443/tcp"; a bare "443" publishes on a random port.
        const parts = String(item.value).split(":");
        const target = /^(\d+)(\/tcp)?$/.exec(parts.at(-1)!);
        if (!target || Number(target[1]) !== containerPort || parts.length < 2) continue;
        if (!/^\d+$/.test(parts.at(-2)!)) throw new Error(`its published port ${String(item.value)} is not one port`);
        parts[parts.length - 2] = String(adjust.publishedPort);
        edits.push({ start: item.range[0], end: item.range[1], text: quoteLike(item, parts.join(":")) });
        found.publishedPort = true;
      } else if (isMap(item)) {
        const target = item.get("target", true);
        const published = item.get("published", true);
        if (isScalar(target) && Number(target.value) === containerPort && isScalar(published) && published.range) {
          edits.push({
            start: published.range[0],
            end: published.range[1],
            text: quoteLike(published, String(adjust.publishedPort)),
          });
          found.publishedPort = true;
        }
      }
    }
  }

  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, found };
}

/** A compose file as instance.json records it: its path on the old host and its text (null: it could not be read). */
export interface RecordedComposeFile {
  path: string;
  text: string | null;
}

export type ComposeWriteBack =
  /** Written (or found identical) at its recorded paths: the containers keep compose's labels. */
  | { claimed: true; written: string[]; identical: string[] }
  /** Written beside what is there, under another name, or not at all: the containers are the panel's alone. */
  | { claimed: false; written: string[]; reason: string };

/**
 * Put the compose files back on the new host at the paths they had, through a helper container
 * that mounts their directories (created when missing) and is never started. Nothing there is ever
 * overwritten: a file of another content at a recorded path, or an adjustment that cannot be made
 * in the text, sends every file beside, as `<name>.recovered-<stamp>`, and the containers are not
 * claimed for compose.
 */
export async function writeComposeBack(
  client: DockerClient,
  helperImage: string,
  recorded: { service: string; files: RecordedComposeFile[] },
  adjust: ComposeAdjustments,
  containerPort: number,
  stamp: string,
): Promise<ComposeWriteBack> {
  const files = recorded.files.filter((f): f is { path: string; text: string } => f.text !== null);
  const unreadable = recorded.files.filter((f) => f.text === null).map((f) => f.path);
  let reason: string | null = unreadable.length
    ? `${unreadable.join(", ")} could not be read when the restore point was taken`
    : null;
  const adjusted = new Map<string, string>();
  const found = { siteUrl: false, publishedPort: false };
  for (const f of files) {
    try {
      const a = adjustComposeText(f.text, recorded.service, adjust, containerPort);
      adjusted.set(f.path, a.text);
      found.siteUrl ||= a.found.siteUrl;
      found.publishedPort ||= a.found.publishedPort;
    } catch (error) {
      adjusted.set(f.path, f.text);
      reason ??= `${f.path}: ${(error as Error).message}`;
    }
  }
  if (adjust.siteUrl && !found.siteUrl)
    reason ??= `no compose file sets SITE_URL of service ${recorded.service} itself`;
  if (adjust.publishedPort && !found.publishedPort)
    reason ??= `no compose file publishes port ${containerPort} of service ${recorded.service}`;

  const dirs = [...new Set(files.map((f) => path.posix.dirname(f.path)))];
  const inHelper = (file: string) => `/compose/${dirs.indexOf(path.posix.dirname(file))}`;
  return withComposeHelper(client, helperImage, dirs, { kind: "compose-back" }, async (helper) => {
    const identical: string[] = [];
    const absent: string[] = [];
    for (const f of files) {
      const there = (
        await readSmallFiles(client, helper, `${inHelper(f.path)}/${path.posix.basename(f.path)}`).catch(() => [])
      )[0];
      if (!there) absent.push(f.path);
      else if (there.data.toString("utf8") === adjusted.get(f.path)) identical.push(f.path);
      else reason ??= `${f.path} is already on this host with another content`;
    }
    const beside = reason !== null;
    const written: string[] = [];
    for (const f of files) {
      if (!beside && !absent.includes(f.path)) continue;
      const name = beside ? `${path.posix.basename(f.path)}.recovered-${stamp}` : path.posix.basename(f.path);
      const pack = tar.pack();
      pack.entry({ name, mode: 0o640, uid: 0, gid: 0 }, adjusted.get(f.path)!);
      pack.finalize();
      await putArchive(client, helper, inHelper(f.path), pack as unknown as Readable);
      written.push(path.posix.join(path.posix.dirname(f.path), name));
    }
    return beside
      ? { claimed: false as const, written, reason: reason! }
      : { claimed: true as const, written, identical };
  });
}

/** Remove files a recovery wrote (its undo), through a short-lived helper; missing ones are fine. */
export async function removeWrittenFiles(client: DockerClient, helperImage: string, files: string[]): Promise<void> {
  if (!files.length) return;
  const dirs = [...new Set(files.map((f) => path.posix.dirname(f)))];
  const result = await runToCompletion(client, {
    Image: helperImage,
    Entrypoint: [
      "rm",
      "-f",
      "--",
      ...files.map((f) => `/compose/${dirs.indexOf(path.posix.dirname(f))}/${path.posix.basename(f)}`),
    ],
    Cmd: [],
    User: "0",
    Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": "compose-back" },
    NetworkDisabled: true,
    HostConfig: { Binds: dirs.map((d, i) => `${d}:/compose/${i}`), NetworkMode: "none", RestartPolicy: { Name: "no" } },
  });
  if (result.exitCode !== 0) throw new Error(`removing ${files.join(", ")} failed (exit ${result.exitCode})`);
}
