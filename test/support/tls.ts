import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";

export interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export function makePki(name: string): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), `paillasse-pki-${name}-`));
  const f = (file: string) => path.join(dir, file);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name} test CA`,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  writeFileSync(f("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const who of ["server", "client"]) {
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${name} ${who}`,
      "-keyout",
      f(`${who}.key`),
      "-out",
      f(`${who}.csr`),
    );
    ssl(
      "x509",
      "-req",
      "-in",
      f(`${who}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f(`${who}.ext`),
      "-out",
      f(`${who}.pem`),
    );
  }
  const read = (file: string) => readFileSync(f(file), "utf8");
  return {
    ca: read("ca.pem"),
    serverCert: read("server.pem"),
    serverKey: read("server.key"),
    clientCert: read("client.pem"),
    clientKey: read("client.key"),
  };
}

/**
 * A TCP endpoint on loopback that demands a client certificate signed by the
 * CA (mutual TLS, as `dockerd --tlsverify` does) and forwards the decrypted
 * stream to the test engine's unix socket.
 */
export async function startTlsFront(
  pki: Pki,
  socketPath: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    (client) => {
      const engine = net.connect(socketPath);
      client.pipe(engine).pipe(client);
      const end = () => {
        client.destroy();
        engine.destroy();
      };
      client.on("error", end);
      engine.on("error", end);
    },
  );
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
