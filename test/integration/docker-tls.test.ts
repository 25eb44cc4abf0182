import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, DockerError, execCapture, getEngineInfo, type HostConnection } from "../../lib/docker";
import { BUSYBOX, removeTestContainers, TEST_LABEL, TEST_SOCKET, testEngine, uniqueName } from "../support/docker";
import { makePki, startTlsFront, type Pki } from "../support/tls";
import { createContainer, startContainer } from "../../lib/docker";

describe("TCP with mutual TLS", () => {
  let pki: Pki;
  let rogue: Pki;
  let front: { port: number; close: () => Promise<void> };
  const run = uniqueName("tls");
  const connection = (overrides: Partial<Extract<HostConnection, { kind: "tcp-tls" }>> = {}): HostConnection => ({
    kind: "tcp-tls",
    name: "tls-engine",
    host: "127.0.0.1",
    port: front.port,
    ca: pki.ca,
    cert: pki.clientCert,
    key: pki.clientKey,
    ...overrides,
  });

  beforeAll(async () => {
    pki = makePki("panel");
    rogue = makePki("rogue");
    front = await startTlsFront(pki, TEST_SOCKET);
  });
  afterAll(async () => {
    await front?.close();
    await removeTestContainers(await testEngine(), run);
  });

  it("connects with the CA, client certificate and key, and runs commands through it", async () => {
    const client = await connect(connection());
    expect(client.host).toBe(`tls-engine (tcp://127.0.0.1:${front.port})`);
    const info = await getEngineInfo(client);
    expect(info.engineVersion).toBe(client.engineVersion);
    const id = await createContainer(client, {
      name: uniqueName("tls"),
      image: BUSYBOX,
      cmd: ["sleep", "60"],
      labels: { [TEST_LABEL]: run },
    });
    await startContainer(client, id);
    const result = await execCapture(client, id, { cmd: ["echo", "over mutual TLS"] });
    expect(result).toMatchObject({ exitCode: 0, stdout: "over mutual TLS\n" });
  });

  it("refuses an engine whose certificate is not from the configured CA", async () => {
    const error = await connect(connection({ ca: rogue.ca })).catch((e) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("tls");
    expect(error.hint).toMatch(/CA certificate/);
  });

  it("is refused with a client certificate the engine does not trust", async () => {
    const error = await connect(connection({ cert: rogue.clientCert, key: rogue.clientKey })).catch((e) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error.failure).toBe("tls");
    expect(error.message).not.toContain("PRIVATE KEY");
  });
});
