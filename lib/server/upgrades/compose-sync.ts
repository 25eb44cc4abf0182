import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import { isAlias, isMap, isScalar, parseDocument } from "yaml";
import { createContainer, putArchive, readSmallFiles, removeContainer, type DockerClient } from "../../docker";
import { AppError } from "../../errors";
import { msg, type Message } from "../../i18n/message";
import { rewriteComposeLayout, type LayoutMove } from "./layout-move";

/**
 * After an upgrade of an instance started by `docker compose`, its compose
 * file must name the new tag, or the next `docker compose up` by hand would
 * silently bring the old version back (on a database it can no longer read).
 * The file is on the web host: a short-lived helper container (never started)
 * mounts its directory, the file is read and written through the archive API
 * (no SSH), parsed and rewritten as YAML with its comments and layout kept
 * (the `yaml` library's document model), and the previous copy saved beside
 * it.
 */
export interface ComposeLabels {
  workingDir: string;
  configFiles: string[];
  service: string;
}

export function composeLabelsOf(labels: Record<string, string>): ComposeLabels | null {
  const workingDir = labels["com.docker.compose.project.working_dir"];
  const files = labels["com.docker.compose.project.config_files"];
  const service = labels["com.docker.compose.service"];
  if (!workingDir || !files || !service) return null;
  return {
    workingDir,
    configFiles: files
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => (path.isAbsolute(f) ? f : path.join(workingDir, f))),
    service,
  };
}

/**
 * The file with the service's image replaced; null when the file does not
 * define that service's image. The YAML is parsed only to find where the
 * image's value is written; the new value is spliced into the original text,
 * so every other byte stays as it was (line breaks, long lines, flow
 * sequences, anchors, a missing final newline) and a later diff shows the
 * `image:` line alone. An image given through an alias changes at its anchor.
 */
export function rewriteComposeImage(text: string, service: string, image: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(image)) throw new Error(`${image} is not an image reference`);
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`it is not valid YAML (${doc.errors[0]!.message.split("\n")[0]})`);
  const services = doc.get("services", true);
  if (!isMap(services)) return null;
  const entry = services.get(service, true);
  if (!isMap(entry)) return null;
  let node: unknown = entry.get("image", true);
  if (isAlias(node)) node = node.resolve(doc);
  if (!isScalar(node) || typeof node.value !== "string" || !node.range) return null;
  const [start, end] = node.range;
  let written: string;
  switch (node.type) {
    case "QUOTE_DOUBLE":
      written = `"${image}"`;
      break;
    case "QUOTE_SINGLE":
      written = `'${image}'`;
      break;
    case "PLAIN":
      written = image;
      break;
    default:
      throw new Error(`the image of service ${service} is written as a block scalar, which is not rewritten`);
  }
  return text.slice(0, start) + written + text.slice(end);
}

/**
 * Run `work` with a helper container that mounts `dirs` at /compose/<index> (created on the host when
 * missing, unless read-only) and is never started: its files are read and written through the archive
 * API. Removed afterwards, whatever happens.
 */
export async function withComposeHelper<T>(
  client: DockerClient,
  image: string,
  dirs: string[],
  options: { kind: string; readOnly?: boolean },
  work: (helper: string) => Promise<T>,
): Promise<T> {
  const helper = `paillasse-${options.kind}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await createContainer(client, {
    name: helper,
    Image: image,
    Entrypoint: ["true"],
    Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": options.kind },
    NetworkDisabled: true,
    HostConfig: {
      Binds: dirs.map((d, i) => `${d}:/compose/${i}${options.readOnly ? ":ro" : ""}`),
      NetworkMode: "none",
      RestartPolicy: { Name: "no" },
    },
  });
  try {
    return await work(helper);
  } finally {
    await removeContainer(client, helper, { force: true }).catch(() => undefined);
  }
}

async function readOne(client: DockerClient, container: string, file: string) {
  const found = (await readSmallFiles(client, container, file))[0];
  if (!found) throw new Error(`${file} is not a regular file`);
  return { text: found.data.toString("utf8"), header: found.header };
}

/**
 * Point the compose file at the new image. Returns what was done, for the
 * journal; a file that does not name the service's image is left alone.
 */
export function syncComposeFile(
  client: DockerClient,
  helperImage: string,
  labels: ComposeLabels,
  image: string,
  stamp: string,
  move?: LayoutMove,
): Promise<{ file: string; backup: string } | { file: null; reason: string }> {
  return rewriteComposeFiles(
    client,
    helperImage,
    labels,
    stamp,
    (text) => {
      const rewritten = rewriteComposeImage(text, labels.service, image);
      // A move to another layout (6.0) changes the service's ports, mounts, user and more, not only its image.
      return rewritten !== null && move ? rewriteComposeLayout(rewritten, labels.service, move) : rewritten;
    },
    move
      ? msg`Set the image of service ${labels.service} to ${image} in that file by hand, and its layout as the upgrade's journal lists it.`
      : msg`Set the image of service ${labels.service} to ${image} in that file by hand.`,
  );
}

/**
 * Rewrite the first of the compose files that defines the service (`rewrite` returns null for a file
 * that does not), through a helper container that is never started, the previous copy saved beside it.
 */
export async function rewriteComposeFiles(
  client: DockerClient,
  helperImage: string,
  labels: ComposeLabels,
  stamp: string,
  rewrite: (text: string) => string | null,
  hint: Message,
): Promise<{ file: string; backup: string } | { file: null; reason: string }> {
  const dirs = [...new Set(labels.configFiles.map((f) => path.dirname(f)))];
  return withComposeHelper(client, helperImage, dirs, { kind: "compose-sync" }, async (helper) => {
    for (const file of labels.configFiles) {
      const inHelper = `/compose/${dirs.indexOf(path.dirname(file))}/${path.basename(file)}`;
      const { text, header } = await readOne(client, helper, inHelper);
      let rewritten: string | null;
      try {
        rewritten = rewrite(text);
      } catch (error) {
        throw new AppError("unavailable", msg`${file} could not be read: ${(error as Error).message}.`, { hint });
      }
      if (rewritten === null) continue;
      const backup = `${path.basename(file)}.before-${stamp}`;
      const pack = tar.pack();
      const owner = { mode: header.mode ?? 0o644, uid: header.uid ?? 0, gid: header.gid ?? 0 };
      pack.entry({ name: backup, ...owner }, text);
      pack.entry({ name: path.basename(file), ...owner }, rewritten);
      pack.finalize();
      await putArchive(client, helper, path.posix.dirname(inHelper), pack as unknown as Readable);
      return { file, backup: path.join(path.dirname(file), backup) };
    }
    return { file: null, reason: `no compose file names an image for service ${labels.service}` };
  });
}

/**
 * The text of the compose files an instance was started from (for a restore point's instance.json):
 * read as syncComposeFile reads them, through a helper container that is never started. A file that
 * cannot be read is listed with the reason instead of its text.
 */
export async function readComposeFiles(
  client: DockerClient,
  helperImage: string,
  labels: ComposeLabels,
): Promise<{ path: string; text: string | null; error?: string }[]> {
  const dirs = [...new Set(labels.configFiles.map((f) => path.dirname(f)))];
  return withComposeHelper(client, helperImage, dirs, { kind: "compose-read", readOnly: true }, async (helper) => {
    const files = [];
    for (const file of labels.configFiles) {
      const inHelper = `/compose/${dirs.indexOf(path.dirname(file))}/${path.basename(file)}`;
      try {
        files.push({ path: file, text: (await readOne(client, helper, inHelper)).text });
      } catch (error) {
        files.push({ path: file, text: null, error: (error as Error).message.slice(0, 300) });
      }
    }
    return files;
  });
}
