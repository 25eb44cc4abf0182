import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, DockerError, getEngineInfo, listContainers, type HostConnection } from "../../lib/docker";
import { TEST_SOCKET } from "../support/docker";
import { generateKey, startSshFront, type SshFront } from "../support/ssh";

describe("SSH", () => {
  const key = generateKey();
  const stranger = generateKey();
  let front: SshFront;
  const connection = (overrides: Partial<Extract<HostConnection, { kind: "ssh" }>> = {}): HostConnection => ({
    kind: "ssh",
    name: "ssh-engine",
    host: "127.0.0.1",
    port: front.port,
    username: "paillasse",
    privateKey: key.privateKey,
    ...overrides,
  });

  beforeAll(async () => {
    front = await startSshFront(TEST_SOCKET, "paillasse", key.publicKey);
  });
  afterAll(async () => {
    await front?.close();
  });

  it("reaches the engine through `docker system dial-stdio` and reports the host key seen on first use", async () => {
    const client = await connect(connection());
    expect(client.sshFingerprint).toBe(front.fingerprint);
    expect(client.host).toBe(`ssh-engine (ssh://paillasse@127.0.0.1:${front.port})`);
    const info = await getEngineInfo(client);
    expect(info.engineVersion).toBe(client.engineVersion);
    expect(Array.isArray(await listContainers(client))).toBe(true);
  });

  it("accepts the pinned host key", async () => {
    const client = await connect(connection({ hostFingerprint: front.fingerprint }));
    expect((await getEngineInfo(client)).engineVersion).toBeTruthy();
  });

  it("refuses a host whose key differs from the pinned one", async () => {
    const pinned = "SHA256:" + "A".repeat(43);
    const error = await connect(connection({ hostFingerprint: pinned })).catch((e) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("fingerprint");
    expect(error.message).toContain(`expected ${pinned}, got ${front.fingerprint}`);
  });

  it("says so when the host refuses the key", async () => {
    const error = await connect(connection({ privateKey: stranger.privateKey })).catch((e) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("auth");
    expect(error.message).not.toContain("PRIVATE KEY");
  });
});
