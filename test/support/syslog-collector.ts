import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";

/**
 * A syslog collector for tests: UDP (one message per datagram) or TCP/TLS
 * with octet-counted frames (RFC 6587 / RFC 5425). It keeps every message it
 * took, in order; `crashFirst` makes it die on its first connection
 * without reading it, as a crashed collector would.
 */
export interface Collector {
  port: number;
  messages: string[];
  close: () => Promise<void>;
}

export async function startCollector(
  transport: "udp" | "tcp" | "tls",
  options: { port?: number; cert?: string; key?: string; crashFirst?: boolean } = {},
): Promise<Collector> {
  const messages: string[] = [];
  if (transport === "udp") {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (buf) => messages.push(buf.toString("utf8")));
    await new Promise<void>((resolve) => socket.bind(options.port ?? 0, "127.0.0.1", resolve));
    return {
      port: socket.address().port,
      messages,
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const onConnection = (socket: net.Socket) => {
    if (connections++ === 0 && options.crashFirst) {
      // Crashes before reading anything of its first connection: what the kernel held for it is lost.
      // (pauseOnConnect: not even node's read-ahead has taken a byte.)
      setTimeout(() => socket.destroy(), 300);
      return;
    }
    socket.resume();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const space = pending.indexOf(0x20);
        if (space < 0) break;
        const length = Number(pending.subarray(0, space).toString());
        if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame length in ${pending.toString()}`);
        if (pending.length < space + 1 + length) break;
        messages.push(pending.subarray(space + 1, space + 1 + length).toString("utf8"));
        pending = pending.subarray(space + 1 + length);
      }
    });
  };
  const server =
    transport === "tls"
      ? tls.createServer({ cert: options.cert, key: options.key }, onConnection)
      : net.createServer({ pauseOnConnect: Boolean(options.crashFirst) }, onConnection);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
