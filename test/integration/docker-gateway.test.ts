import { createHash, randomBytes } from "node:crypto";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connect,
  containerLogs,
  createContainer,
  DockerError,
  execCapture,
  execStream,
  getArchive,
  getEngineInfo,
  imageExists,
  inspectContainer,
  inspectImage,
  listContainers,
  negotiateApiVersion,
  pullImage,
  putArchive,
  removeContainer,
  removeImage,
  renameContainer,
  startContainer,
  stopContainer,
  type DockerClient,
  type PullProgress,
} from "../../lib/docker";
import { BUSYBOX, removeTestContainers, TEST_LABEL, testEngine, uniqueName } from "../support/docker";

const run = uniqueName("gw");
let client: DockerClient;

beforeAll(async () => {
  client = await testEngine();
});
afterAll(async () => {
  if (client) await removeTestContainers(client, run);
});

async function busybox(name: string, cmd = ["sleep", "600"]) {
  const id = await createContainer(client, { name, image: BUSYBOX, cmd, labels: { [TEST_LABEL]: run } });
  await startContainer(client, id);
  return id;
}

describe("connecting", () => {
  it("connects over the unix socket and negotiates the API version", async () => {
    expect(client.apiVersion).toMatch(/^1\.\d+$/);
    const info = await getEngineInfo(client);
    expect(info.engineVersion).toBe(client.engineVersion);
    expect(info.dockerRootDir).toMatch(/\/docker$/);
    expect(info.registryMirrors.join()).toContain("127.0.0.1:5555");
  });

  it("says clearly when there is no socket", async () => {
    const error = await connect({ kind: "socket", name: "gone", socketPath: "/tmp/pl-test/no-such.sock" }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("unreachable");
    expect(error.message).toContain("no Docker socket at gone (unix:///tmp/pl-test/no-such.sock)");
  });

  it("says clearly when the port refuses", async () => {
    const error = await connect({
      kind: "tcp-tls",
      name: "closed",
      host: "127.0.0.1",
      port: 9,
      ca: "",
      cert: "",
      key: "",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("refused");
    expect(error.hint).toMatch(/address and port/);
  });

  it("refuses engines outside the API range it speaks", () => {
    expect(negotiateApiVersion({ ApiVersion: "1.41", MinAPIVersion: "1.12" }, "h")).toBe("1.41");
    expect(negotiateApiVersion({ ApiVersion: "1.52", MinAPIVersion: "1.44" }, "h")).toBe("1.51");
    expect(() => negotiateApiVersion({ ApiVersion: "1.40" }, "h")).toThrow(/older than 1.41/);
    expect(() => negotiateApiVersion({ ApiVersion: "1.60", MinAPIVersion: "1.55" }, "h")).toThrow(
      /requires Docker API 1.55/,
    );
  });
});

describe("containers", () => {
  it("creates, starts, inspects, renames, stops and removes, in our own types", async () => {
    const name = uniqueName("life");
    const id = await createContainer(client, {
      name,
      image: BUSYBOX,
      cmd: ["sleep", "600"],
      env: { GREETING: "bonjour", EMPTY: "" },
      labels: { [TEST_LABEL]: run, role: "web" },
      restartPolicy: "unless-stopped",
      capDrop: ["ALL"],
      capAdd: ["CHOWN"],
      securityOpt: ["no-new-privileges:true"],
      healthcheck: { test: ["CMD", "true"], intervalMs: 120_000 },
    });
    await startContainer(client, id);
    await startContainer(client, id); // idempotent

    const details = await inspectContainer(client, name);
    expect(details.id).toBe(id);
    expect(details.name).toBe(name);
    expect(details.state.running).toBe(true);
    expect(details.state.startedAt).toBeInstanceOf(Date);
    expect(details.env).toMatchObject({ GREETING: "bonjour", EMPTY: "" });
    expect(details.labels.role).toBe("web");
    expect(details.restartPolicy.name).toBe("unless-stopped");
    expect(details.capDrop).toEqual(["ALL"]);
    expect(details.capAdd).toEqual(["CHOWN"]);
    expect(details.securityOpt).toEqual(["no-new-privileges:true"]);
    expect(details.healthcheck?.intervalMs).toBe(120_000);
    expect(details.state.health).toBe("starting");
    expect(details.createSpec.Image).toBe(BUSYBOX);

    const listed = await listContainers(client, { labels: [`${TEST_LABEL}=${run}`, "role=web"] });
    expect(listed.map((c) => c.name)).toContain(name);

    await renameContainer(client, name, `${name}-old`);
    expect((await inspectContainer(client, id)).name).toBe(`${name}-old`);

    await stopContainer(client, id, 1);
    await stopContainer(client, id, 1); // stopping a stopped container is fine
    const stopped = await inspectContainer(client, id);
    expect(stopped.state.running).toBe(false);
    expect(stopped.state.finishedAt).toBeInstanceOf(Date);

    await removeContainer(client, id);
    const gone = await inspectContainer(client, id).catch((e) => e);
    expect(gone).toBeInstanceOf(DockerError);
    expect(gone.failure).toBe("not_found");
  });

  it("reports a name conflict as such", async () => {
    const name = uniqueName("dup");
    await busybox(name);
    const error = await createContainer(client, { name, image: BUSYBOX, labels: { [TEST_LABEL]: run } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("conflict");
    expect(error.message).toContain(name);
  });
});

describe("exec", () => {
  let target: string;
  beforeAll(async () => {
    target = await busybox(uniqueName("exec"));
  });

  it("returns exit codes, stdout and stderr apart, and passes environment without the command line", async () => {
    const ok = await execCapture(client, target, {
      cmd: ["sh", "-c", 'echo "out $SECRET"; echo err >&2'],
      env: { SECRET: "s3" },
    });
    expect(ok).toEqual({ exitCode: 0, stdout: "out s3\n", stderr: "err\n" });
    const failed = await execCapture(client, target, { cmd: ["sh", "-c", "exit 3"] });
    expect(failed.exitCode).toBe(3);
    const missing = await execCapture(client, target, { cmd: ["no-such-command"] });
    expect(missing.exitCode).not.toBe(0);
  });

  it("streams large output intact", async () => {
    const hash = createHash("sha256");
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    });
    const result = await execStream(
      client,
      target,
      { cmd: ["sh", "-c", "yes 'paillasse line' | head -c 67108864"] },
      { stdout: sink, stderr: new PassThrough().resume() },
    );
    expect(result.exitCode).toBe(0);
    expect(bytes).toBe(64 * 1024 * 1024);
    expect(result.stdoutBytes).toBe(bytes);
    const expected = createHash("sha256");
    const line = Buffer.from("paillasse line\n");
    const block = Buffer.concat(Array.from({ length: 4096 }, () => line));
    let left = 64 * 1024 * 1024;
    while (left > 0) {
      const part = block.subarray(0, Math.min(block.length, left));
      expected.update(part);
      left -= part.length;
    }
    // `yes` repeats the line; the same bytes must arrive in the same order.
    expect(hash.digest("hex")).toBe(expected.digest("hex"));
  });

  it("refuses output beyond the capture limit instead of truncating it", async () => {
    const error = await execCapture(client, target, {
      cmd: ["sh", "-c", "head -c 200000 /dev/zero"],
      maxBytes: 1000,
    }).catch((e) => e);
    expect(String(error.message)).toMatch(/exceeded 1000 bytes/);
  });
});

describe("images", () => {
  it("pulls elabftw/elabimg:5.1.0 from the registry mirror with progress, under its real name", async () => {
    const ref = "elabftw/elabimg:5.1.0";
    if (await imageExists(client, ref)) await removeImage(client, ref, { force: true });
    const events: PullProgress[] = [];
    const image = await pullImage(client, ref, (p) => events.push(p));
    expect(image.repoTags).toContain(ref);
    expect(image.elabftwVersion).toBe("5.1.0");
    expect(image.labels["net.elabftw.image-version"]).toBeTruthy();
    expect(events.length).toBeGreaterThan(0);
    expect(
      events.some((e) => /Pulling from elabftw\/elabimg|Digest|Status|Downloaded|up to date/i.test(e.status)),
    ).toBe(true);
    expect((await inspectImage(client, ref)).id).toBe(image.id);
  });

  it("fails clearly for a tag the registry does not have", async () => {
    const error = await pullImage(client, "elabftw/elabimg:9.9.99").catch((e) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("not_found");
    expect(error.message).toMatch(/^Could not pull elabftw\/elabimg:9\.9\.99: /);
    expect(error.hint).toMatch(/tag exists in the configured registry/);
  });

  it("refuses to pull without an exact tag", async () => {
    await expect(pullImage(client, "elabftw/elabimg@sha256:" + "0".repeat(64))).rejects.toThrow(/pin an exact tag/);
  });
});

describe("archives and logs", () => {
  it("round-trips a directory through the archive API, ownership and modes kept", async () => {
    const target = await busybox(uniqueName("arch"));
    const content = randomBytes(300_000);
    const pack = tar.pack();
    pack.entry({ name: "uploads", type: "directory", mode: 0o755, uid: 101, gid: 101 });
    pack.entry({ name: "uploads/ab", type: "directory", mode: 0o750, uid: 101, gid: 101 });
    pack.entry({ name: "uploads/ab/file.bin", mode: 0o640, uid: 101, gid: 101 }, content);
    pack.entry({ name: "uploads/readme.txt", mode: 0o644, uid: 0, gid: 0 }, "bonjour\n");
    pack.finalize();
    await putArchive(client, target, "/data", pack as unknown as Readable);

    const listing = await execCapture(client, target, {
      cmd: ["sh", "-c", "stat -c '%n %u:%g %a %s' /data/uploads/ab/file.bin /data/uploads/readme.txt"],
    });
    expect(listing.stdout).toContain(`/data/uploads/ab/file.bin 101:101 640 ${content.length}`);
    expect(listing.stdout).toContain("/data/uploads/readme.txt 0:0 644 8");

    const entries = new Map<string, { mode: number; uid: number; data: Buffer }>();
    const extract = tar.extract();
    extract.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => chunks.push(c as Buffer));
      stream.on("end", () => {
        entries.set(header.name.replace(/\/$/, ""), {
          mode: header.mode ?? 0,
          uid: header.uid ?? -1,
          data: Buffer.concat(chunks),
        });
        next();
      });
    });
    await pipeline(await getArchive(client, target, "/data/uploads"), extract);
    expect(entries.get("uploads/ab/file.bin")?.data.equals(content)).toBe(true);
    expect((entries.get("uploads/ab/file.bin")?.mode ?? 0) & 0o777).toBe(0o640);
    expect(entries.get("uploads/ab/file.bin")?.uid).toBe(101);
    expect(entries.get("uploads/readme.txt")?.data.toString()).toBe("bonjour\n");
  });

  it("follows logs, stdout and stderr apart, until aborted", async () => {
    const name = uniqueName("logs");
    await busybox(name, [
      "sh",
      "-c",
      "echo first; echo oops >&2; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done",
    ]);
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const line of containerLogs(client, name, { follow: true, signal: abort.signal })) {
      seen.push(`${line.stream}:${line.text}`);
      expect(line.at).toBeInstanceOf(Date);
      if (seen.some((l) => l === "stdout:tick 3")) abort.abort();
    }
    expect(seen).toContain("stdout:first");
    expect(seen).toContain("stderr:oops");
    expect(seen).toContain("stdout:tick 3");
  });
});
