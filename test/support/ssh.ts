import { createHash } from "node:crypto";
import net from "node:net";
import { Server, utils } from "ssh2";

export interface SshFront {
  port: number;
  /** "SHA256:<base64>" of the server's host key, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  close: () => Promise<void>;
}

/**
 * An ed25519 key pair in OpenSSH format. ssh2's generator now and then (about
 * 1 in 300) writes a key its own parser rejects as malformed: draw again.
 */
export function generateKey(): { privateKey: string; publicKey: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) {
      return { privateKey: pair.private, publicKey: pair.public };
    }
  }
  throw new Error("could not generate a parsable ed25519 key");
}

/**
 * An SSH server on loopback that accepts one user and key, and answers
 * `docker system dial-stdio` (what the Docker CLI and dockerode run over SSH)
 * by connecting the channel to the test engine's socket: a Docker host
 * reached over SSH, for real, without an sshd.
 */
export async function startSshFront(socketPath: string, user: string, authorizedPublicKey: string): Promise<SshFront> {
  const host = generateKey();
  const hostKey = utils.parseKey(host.privateKey);
  const allowed = utils.parseKey(authorizedPublicKey);
  if (hostKey instanceof Error || allowed instanceof Error) throw new Error("could not parse the generated keys");
  const blob = hostKey.getPublicSSH();
  const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;

  const server = new Server({ hostKeys: [host.privateKey] }, (client) => {
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      const ok =
        ctx.method === "publickey" &&
        ctx.username === user &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH()) &&
        (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true);
      if (ok) ctx.accept();
      else ctx.reject(["publickey"]);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (accept, reject, info) => {
          if (info.command !== "docker system dial-stdio") return reject();
          const channel = accept();
          const engine = net.connect(socketPath);

          channel.pipe(engine).pipe(channel);
          engine.on("close", () => {
            channel.exit(0);
            channel.end();
          });
          engine.on("error", () => channel.end());
          channel.on("close", () => engine.destroy());
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, fingerprint, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
