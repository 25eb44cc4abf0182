import path from "node:path";
import { isMap, isNode, isScalar, isSeq, parseDocument, type Scalar } from "yaml";
import type { ContainerCreateBody } from "../../docker";
import type { WebLayout } from "../instances/elabftw-releases";

/**
 * The move between two container layouts of eLabFTW (5.x → 6.0, update-6.md): the container port's
 * right-hand side, the uploads and exports mounted at their new paths, a cache mount, the container
 * run as a chosen uid:gid with a read-only root and a /run tmpfs, environment variables the new
 * release ignores removed. Everything here is computed from the old container's definition, so the
 * plan shown before the key touch and the container created during the upgrade are the same.
 */
// A type, not an interface: it is journaled as JSON.
export type LayoutMove = {
  from: WebLayout;
  to: WebLayout;
  /** "uid:gid" the new container runs as, and owns its data. */
  runAs: string;
  /** Host directories or volume names, and the container path each is mounted at. */
  mounts: {
    role: "uploads" | "exports" | "cache";
    type: "bind" | "volume";
    source: string;
    target: string;
    created: boolean;
  }[];
  /** Environment variables dropped from the container (names only: values may be secrets). */
  removedEnv: string[];
  /** Port bindings changed: host side kept, container side moved. */
  ports: { host: string; from: number; to: number }[];
};

export const RUN_AS = /^(\d{1,10}):(\d{1,10})$/;

export function layoutsDiffer(from: WebLayout | null | undefined, to: WebLayout | null | undefined): boolean {
  return Boolean(from && to && JSON.stringify(from) !== JSON.stringify(to));
}

interface MountLike {
  type: string;
  source: string;
  name?: string | null;
  destination: string;
}

const trim = (p: string) => p.replace(/\/+$/, "") || "/";

/**
 * Where each of the new layout's data mounts comes from: the old container's mount at the old path
 * (uploads, exports), else a new one beside the uploads (a directory next to a host directory, as the
 * guide's /var/elabftw/exports beside /var/elabftw/web, or a volume named after the uploads volume).
 */
export function planLayoutMove(
  old: {
    env: Record<string, string>;
    mounts: readonly MountLike[];
    portBindings: Record<string, { hostIp: string; hostPort: string }[]>;
  },
  from: WebLayout,
  to: WebLayout,
  runAs: string,
): LayoutMove {
  const at = (target: string) => old.mounts.find((m) => trim(m.destination) === trim(target));
  const uploads = at(from.uploads);
  if (!uploads) throw new Error(`nothing is mounted at ${from.uploads}`);
  const source = (m: MountLike) => (m.type === "volume" ? (m.name ?? m.source) : m.source);
  const beside = (role: string) =>
    uploads.type === "volume"
      ? `${source(uploads)}-${role}`
      : path.posix.join(path.posix.dirname(trim(uploads.source)), role);
  const kind = (m: MountLike | undefined): "bind" | "volume" => ((m ?? uploads).type === "volume" ? "volume" : "bind");
  const mounts: LayoutMove["mounts"] = [
    { role: "uploads", type: kind(uploads), source: source(uploads), target: to.uploads, created: false },
  ];
  const exportsMount = at(from.exports);
  mounts.push({
    role: "exports",
    type: kind(exportsMount),
    source: exportsMount ? source(exportsMount) : beside("exports"),
    target: to.exports,
    created: !exportsMount,
  });
  if (to.cache) {
    const cacheMount = from.cache ? at(from.cache) : undefined;
    mounts.push({
      role: "cache",
      type: kind(cacheMount),
      source: cacheMount ? source(cacheMount) : beside("cache"),
      target: to.cache,
      created: !cacheMount,
    });
  }
  const ports: LayoutMove["ports"] = [];
  for (const [key, bindings] of Object.entries(old.portBindings)) {
    if (key !== `${from.containerPort}/tcp`) continue;
    for (const b of bindings)
      ports.push({
        host: `${b.hostIp ? `${b.hostIp}:` : ""}${b.hostPort}`,
        from: from.containerPort,
        to: to.containerPort,
      });
  }
  return {
    from,
    to,
    runAs,
    mounts,
    removedEnv: to.removedEnv.filter((name) => name in old.env),
    ports,
  };
}

const mountLine = (m: LayoutMove["mounts"][number]) => `${m.source}:${m.target}${m.type === "volume" ? ":nocopy" : ""}`;

/** "https://localhost:443/healthcheck" → "https://localhost:8080/healthcheck" (only the container's own address). */
export function movePortIn(text: string, move: Pick<LayoutMove, "from" | "to">): string {
  return text.replace(
    new RegExp(`\\b(localhost|127\\.0\\.0\\.1):${move.from.containerPort}(?!\\d)`, "g"),
    `$1:${move.to.containerPort}`,
  );
}

/** The tmpfs line of the guide, for the chosen user. */
export function runTmpfs(runAs: string): string {
  const [, uid, gid] = RUN_AS.exec(runAs)!;
  return `mode=755,uid=${uid},gid=${gid},exec,nosuid,nodev,size=64m`;
}

/** The create body of the new container: the old one's, moved to the new layout. */
export function applyLayoutMove(body: ContainerCreateBody, move: LayoutMove): ContainerCreateBody {
  const { from, to } = move;
  const next = structuredClone(body) as ContainerCreateBody & Record<string, unknown>;
  const host = { ...(next.HostConfig ?? {}) } as NonNullable<ContainerCreateBody["HostConfig"]>;
  // Port: the right-hand side moves, the host side stays.
  const oldKey = `${from.containerPort}/tcp`;
  const newKey = `${to.containerPort}/tcp`;
  if (next.ExposedPorts && oldKey in next.ExposedPorts) {
    const { [oldKey]: _gone, ...rest } = next.ExposedPorts;
    void _gone;
    next.ExposedPorts = { ...rest, [newKey]: {} };
  }
  if (host.PortBindings && oldKey in host.PortBindings) {
    const { [oldKey]: bindings, ...rest } = host.PortBindings as Record<string, unknown>;
    host.PortBindings = { ...rest, [newKey]: bindings };
  }
  // Mounts: the old data paths go, the new ones come (binds or named volumes alike).
  const oldTargets = new Set([from.uploads, from.exports, ...(from.cache ? [from.cache] : [])].map(trim));
  const binds = (host.Binds ?? []).filter((b) => !oldTargets.has(trim(b.split(":")[1] ?? "")));
  const mounts = (host.Mounts ?? []).filter((m) => !oldTargets.has(trim(m.Target ?? "")));
  // nocopy: an empty volume would otherwise be filled from the image's directory on first use, and
  // take that directory's owner (root) back over the chown.
  for (const m of move.mounts) binds.push(mountLine(m));
  host.Binds = binds;
  host.Mounts = mounts.length ? mounts : undefined;
  if (next.Volumes) {
    next.Volumes = Object.fromEntries(Object.entries(next.Volumes).filter(([k]) => !oldTargets.has(trim(k))));
  }
  // Who it runs as, on a read-only root with /run in memory.
  if (to.runsAs === "user") next.User = move.runAs;
  if (to.readOnlyRoot) {
    host.ReadonlyRootfs = true;
    host.Tmpfs = { ...(host.Tmpfs ?? {}), "/run": runTmpfs(move.runAs) };
  }
  next.Env = (next.Env ?? []).filter((e) => !move.removedEnv.includes(e.split("=")[0]!));
  // A healthcheck of the container's own (a compose file's) that asks the old port would never pass.
  const health = next.Healthcheck as { Test?: string[] } | undefined;
  if (health?.Test) next.Healthcheck = { ...health, Test: health.Test.map((t) => movePortIn(t, move)) };
  next.HostConfig = host;
  return next;
}

/**
 * The script a root helper runs on the data before the new container starts: it lists every entry
 * (the directories themselves included) not owned by the chosen user, with its owner and mode, then
 * gives them to that user. Symbolic links are changed themselves (`chown -h`), never their targets;
 * `find` does not follow them. Works with busybox and GNU tools alike. The paths (NUL-separated) and
 * the owners (one line each, same order) stay in /manifest until the upgrade is committed: a
 * rollback reads them back. Nothing is changed unless the list was written whole.
 */
export const RECORD_AND_CHOWN = String.raw`set -eu
uid=$1 gid=$2
shift 2
cd /data
find "$@" \( ! -user "$uid" -o ! -group "$gid" \) -print0 > /manifest/paths.tmp
xargs -0 -r stat -c '%u %g %a %F' < /manifest/paths.tmp > /manifest/owners.tmp
mv /manifest/owners.tmp /manifest/owners
mv /manifest/paths.tmp /manifest/paths
count=$(wc -l < /manifest/owners)
xargs -0 -r chown -h "$uid:$gid" < /manifest/paths
echo "changed $count"
`;

/** One entry of the manifest: its path under /data, owner, mode and whether it is a link. */
export interface OwnerRecord {
  path: string;
  uid: number;
  gid: number;
  mode: string;
  link: boolean;
}

/** The manifest's two files, paired (they come from one `find` and one `stat` run over the same list). */
export function parseManifest(paths: Buffer, owners: string): OwnerRecord[] {
  const names = paths.toString("utf8").split("\0");
  if (names.at(-1) === "") names.pop();
  const lines = owners.split("\n").filter((l) => l.length > 0);
  if (names.length !== lines.length) {
    throw new Error(`the ownership record is inconsistent (${names.length} paths, ${lines.length} owners)`);
  }
  return names.map((name, i) => {
    const m = /^(\d+) (\d+) ([0-7]+) (.+)$/.exec(lines[i]!);
    if (!m) throw new Error(`the ownership record has an unreadable line: ${lines[i]!.slice(0, 80)}`);
    return { path: name, uid: Number(m[1]), gid: Number(m[2]), mode: m[3]!, link: /symbolic link/.test(m[4]!) };
  });
}

/**
 * What a rollback writes beside the manifest: one NUL-separated list per owner and per mode, and the
 * script that applies them (owners first: chown clears set-uid bits; modes then, never through links).
 */
export function restorePlan(records: OwnerRecord[]): { files: Record<string, Buffer>; script: string } {
  const byOwner = new Map<string, string[]>();
  const byMode = new Map<string, string[]>();
  for (const r of records) {
    const owner = `${r.uid}:${r.gid}`;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), r.path]);
    if (!r.link) byMode.set(r.mode, [...(byMode.get(r.mode) ?? []), r.path]);
  }
  const files: Record<string, Buffer> = {};
  const lines = ["set -eu", "cd /data"];
  let i = 0;
  for (const [owner, list] of byOwner) {
    const name = `owner-${i++}`;
    files[name] = Buffer.from(list.map((p) => `${p}\0`).join(""));
    lines.push(`xargs -0 -r chown -h ${owner} < /manifest/restore/${name}`);
  }
  for (const [mode, list] of byMode) {
    const name = `mode-${i++}`;
    files[name] = Buffer.from(list.map((p) => `${p}\0`).join(""));
    lines.push(`xargs -0 -r chmod ${mode} < /manifest/restore/${name}`);
  }
  lines.push(`echo "restored ${records.length}"`);
  return { files, script: lines.join("\n") + "\n" };
}

interface Edit {
  start: number;
  end: number;
  text: string;
  order: number;
}

const quoteLike = (node: Scalar, value: string) =>
  node.type === "QUOTE_DOUBLE" ? JSON.stringify(value) : node.type === "QUOTE_SINGLE" ? `'${value}'` : value;

/**
 * The compose file's service moved to the new layout, by splicing the original text: the container
 * side of the ports, the data mounts' container paths, the new mounts, `user:`, `read_only:`, the
 * /run tmpfs, and the removed variables' lines. Every other byte, comments included, stays. Throws
 * (with what to do by hand) when the service is written in a way this does not edit safely.
 */
export function rewriteComposeLayout(text: string, service: string, move: LayoutMove): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`it is not valid YAML (${doc.errors[0]!.message.split("\n")[0]})`);
  const services = doc.get("services", true);
  const entry = isMap(services) ? services.get(service, true) : null;
  if (!isMap(entry) || entry.flow) throw new Error(`service ${service} is not a block mapping`);
  const edits: Edit[] = [];
  let order = 0;
  const edit = (start: number, end: number, replacement: string) =>
    edits.push({ start, end, text: replacement, order: order++ });
  const lineStart = (i: number) => text.lastIndexOf("\n", i - 1) + 1;
  const lineEnd = (i: number) => {
    const j = text.indexOf("\n", i);
    return j < 0 ? text.length : j + 1;
  };
  const pairOf = (key: string) => entry.items.find((p) => isScalar(p.key) && p.key.value === key);
  const image = pairOf("image");
  if (!image || !isScalar(image.key) || !image.key.range || !isNode(image.value) || !image.value.range) {
    throw new Error(`service ${service} has no image line`);
  }
  const keyIndent = text.slice(lineStart(image.key.range[0]), image.key.range[0]);
  const afterImage = lineEnd(image.value.range[1]);
  const needsNewline = afterImage === text.length && !text.endsWith("\n") ? "\n" : "";
  const insertKeys: string[] = [];
  const setScalar = (key: string, value: string, plain: string) => {
    const pair = pairOf(key);
    if (pair && isScalar(pair.value) && pair.value.range) {
      edit(pair.value.range[0], pair.value.range[1], quoteLike(pair.value, value));
    } else if (pair) {
      throw new Error(`the ${key} of service ${service} is not a plain value`);
    } else insertKeys.push(`${keyIndent}${key}: ${plain}\n`);
  };

  // Ports: "443:443", "127.0.0.1:8443:443", "443", 443, or { target: 443 }.
  const ports = pairOf("ports")?.value;
  if (isSeq(ports)) {
    for (const item of ports.items) {
      if (isScalar(item) && item.range) {
        const value = String(item.value);
        const parts = value.split(":");
        const m = /^(\d+)(\/tcp)?$/.exec(parts.at(-1)!);
        if (m && Number(m[1]) === move.from.containerPort) {
          parts[parts.length - 1] = `${move.to.containerPort}${m[2] ?? ""}`;
          const next = parts.join(":");
          edit(item.range[0], item.range[1], typeof item.value === "number" ? next : quoteLike(item, next));
        }
      } else if (isMap(item)) {
        const target = item.get("target", true);
        if (isScalar(target) && target.range && Number(target.value) === move.from.containerPort) {
          edit(target.range[0], target.range[1], String(move.to.containerPort));
        }
      }
    }
  }

  // Data mounts: the old container paths become the new ones; missing ones are added.
  const oldToNew = new Map<string, string>([
    [trim(move.from.uploads), move.to.uploads],
    [trim(move.from.exports), move.to.exports],
  ]);
  if (move.from.cache && move.to.cache) oldToNew.set(trim(move.from.cache), move.to.cache);
  const present = new Set<string>();
  const volumesPair = pairOf("volumes");
  const volumes = volumesPair?.value;
  const namedToDeclare: string[] = [];
  if (volumesPair && !isSeq(volumes)) throw new Error(`the volumes of service ${service} are not a list`);
  if (isSeq(volumes)) {
    for (const item of volumes.items) {
      if (isScalar(item) && item.range && typeof item.value === "string") {
        const parts = item.value.split(":");
        const moved = parts[1] !== undefined ? oldToNew.get(trim(parts[1])) : undefined;
        if (moved) {
          parts[1] = moved;
          edit(item.range[0], item.range[1], quoteLike(item, parts.join(":")));
        }
        if (parts[1] !== undefined) present.add(trim(parts[1]));
      } else if (isMap(item)) {
        const target = item.get("target", true);
        if (isScalar(target) && target.range && typeof target.value === "string") {
          const moved = oldToNew.get(trim(target.value));
          if (moved) edit(target.range[0], target.range[1], quoteLike(target, moved));
          present.add(trim(moved ?? target.value));
        }
      }
    }
  }
  const missing = move.mounts.filter((m) => !present.has(trim(m.target)));
  if (missing.length) {
    const lines = missing.map(mountLine);
    for (const m of missing) if (m.type === "volume") namedToDeclare.push(m.source);
    if (isSeq(volumes) && volumes.items.length && !volumes.flow) {
      const last = volumes.items.at(-1) as { range?: [number, number, number] };
      const first = volumes.items[0] as { range?: [number, number, number] };
      const prefix = text.slice(lineStart(first.range![0]), first.range![0]);
      const at = lineEnd(last.range![1]);
      edit(
        at,
        at,
        (at === text.length && !text.endsWith("\n") ? "\n" : "") + lines.map((l) => `${prefix}${l}\n`).join(""),
      );
    } else if (!volumesPair) {
      insertKeys.push(`${keyIndent}volumes:\n${lines.map((l) => `${keyIndent}  - ${l}\n`).join("")}`);
    } else throw new Error(`the volumes of service ${service} are written in flow style`);
  }

  // Who it runs as, on a read-only root, /run in memory.
  if (move.to.runsAs === "user") setScalar("user", move.runAs, `"${move.runAs}"`);
  if (move.to.readOnlyRoot) {
    setScalar("read_only", "true", "true");
    const tmpfsLine = `/run:${runTmpfs(move.runAs)}`;
    const tmpfs = pairOf("tmpfs")?.value;
    if (tmpfs === undefined) insertKeys.push(`${keyIndent}tmpfs:\n${keyIndent}  - ${tmpfsLine}\n`);
    else if (isSeq(tmpfs) && !tmpfs.flow && tmpfs.items.length) {
      const run = tmpfs.items.find((i) => isScalar(i) && String(i.value).split(":")[0] === "/run");
      if (!run) {
        const first = tmpfs.items[0] as { range?: [number, number, number] };
        const prefix = text.slice(lineStart(first.range![0]), first.range![0]);
        const at = lineEnd((tmpfs.items.at(-1) as { range?: [number, number, number] }).range![1]);
        edit(at, at, `${prefix}${tmpfsLine}\n`);
      }
    } else if (!(isScalar(tmpfs) && String(tmpfs.value).split(":")[0] === "/run")) {
      throw new Error(`the tmpfs of service ${service} is written in a way that is not edited automatically`);
    }
  }

  // A healthcheck that asks the old port.
  const test = (() => {
    const hc = pairOf("healthcheck")?.value;
    return isMap(hc) ? hc.get("test", true) : undefined;
  })();
  for (const node of isSeq(test) ? test.items : [test]) {
    if (isScalar(node) && typeof node.value === "string" && node.range) {
      const moved = movePortIn(node.value, move);
      if (moved !== node.value) edit(node.range[0], node.range[1], quoteLike(node, moved));
    }
  }

  // Variables the new release ignores: their lines go.
  const environment = pairOf("environment")?.value;
  const removed = new Set(move.removedEnv);
  if (isMap(environment) && !environment.flow) {
    for (const pair of environment.items) {
      if (isScalar(pair.key) && removed.has(String(pair.key.value)) && pair.key.range) {
        const end = isNode(pair.value) && pair.value.range ? pair.value.range[1] : pair.key.range[1];
        edit(lineStart(pair.key.range[0]), lineEnd(end), "");
      }
    }
  } else if (isSeq(environment) && !environment.flow) {
    for (const item of environment.items) {
      if (isScalar(item) && item.range && removed.has(String(item.value).split("=")[0]!)) {
        edit(lineStart(item.range[0]), lineEnd(item.range[1]), "");
      }
    }
  } else if (environment !== undefined && removed.size) {
    throw new Error(`the environment of service ${service} is written in flow style`);
  }

  if (insertKeys.length) edit(afterImage, afterImage, needsNewline + insertKeys.join(""));
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.order - a.order)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  if (namedToDeclare.length) out = declareExternalVolumes(out, namedToDeclare);
  return out;
}

/** Named volumes the panel made, declared at the top level as external (compose would otherwise prefix them). */
function declareExternalVolumes(text: string, names: string[]): string {
  const doc = parseDocument(text);
  const top = doc.get("volumes", true);
  const block = (indent: string) => names.map((n) => `${indent}${n}:\n${indent}  external: true\n`).join("");
  const sep = text.endsWith("\n") ? "" : "\n";
  if (top === undefined) return `${text}${sep}volumes:\n${block("  ")}`;
  if (!isMap(top) || top.flow || !top.items.length) throw new Error("the top-level volumes are not a block mapping");
  const first = top.items[0]!.key as { range?: [number, number, number] };
  const lastPair = top.items.at(-1)!;
  const lastNode = (isNode(lastPair.value) ? lastPair.value : lastPair.key) as { range?: [number, number, number] };
  const indent = text.slice(text.lastIndexOf("\n", first.range![0] - 1) + 1, first.range![0]);
  const endOfLast = text.indexOf("\n", lastNode.range![1]);
  const at = endOfLast < 0 ? text.length : endOfLast + 1;
  return text.slice(0, at) + (at === text.length ? sep : "") + block(indent) + text.slice(at);
}
