import { createHash } from "node:crypto";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import https from "node:https";
import Dockerode from "dockerode";
import { DockerError, toDockerError } from "./errors";
import { msg } from "../i18n/message";

/**
 * How to reach one Docker engine. Built by lib/server from a DockerHost row,
 * with its secrets already decrypted; never stored or logged as is.
 */
export type HostConnection =
  | { kind: "socket"; name: string; socketPath: string }
  | {
      kind: "tcp-tls";
      name: string;
      host: string;
      port: number;
      /** PEM strings. */
      ca: string;
      cert: string;
      key: string;
    }
  | {
      kind: "ssh";
      name: string;
      host: string;
      port: number;
      username: string;
      privateKey: string;
      /** Pinned "SHA256:<base64>" host key fingerprint; undefined on first use. */
      hostFingerprint?: string;
    };

/** Oldest and newest Engine API versions this panel speaks (Docker 20.10 … 28). */
export const MIN_API_VERSION = "1.41";
export const MAX_API_VERSION = "1.51";

export interface ClientOptions {
  /** Timeout of short calls (inspect, list, create…), in ms. Default 15 s. */
  timeoutMs?: number;
  /** Timeout of the version negotiation when connecting. Default 5 s. */
  connectTimeoutMs?: number;
}

/**
 * A connected engine. `api` is for short calls and has a timeout; `stream`
 * has none, for calls whose data may pause for long (exec, logs, pull,
 * archives). Both speak the negotiated API version. Only lib/docker reads
 * these fields: the rest of the panel passes the client around.
 */
export interface DockerClient {
  readonly host: string;
  readonly apiVersion: string;
  readonly engineVersion: string;
  /** SHA256 fingerprint of the SSH host key seen while connecting (ssh only). */
  readonly sshFingerprint?: string;
  readonly api: Dockerode;
  readonly stream: Dockerode;
}

/**
 * docker-modem reads a plain (non-streamed) answer with only 'data' and
 * 'end' listeners: when the connection breaks in the middle of one, Node
 * destroys the response with "aborted" and, with no listener, that error
 * takes the whole process down. The agent gives every response a listener
 * that fails the request instead, which docker-modem does report.
 */
function guard(req: ClientRequest): void {
  req.once("response", (res: IncomingMessage) => {
    res.on("error", (error) => {
      if (!req.destroyed) req.destroy(error);
    });
  });
}
class GuardedAgent extends http.Agent {
  addRequest(req: ClientRequest, options: unknown): void {
    guard(req);
    (http.Agent.prototype as unknown as { addRequest(r: ClientRequest, o: unknown): void }).addRequest.call(
      this,
      req,
      options,
    );
  }
}
class GuardedTlsAgent extends https.Agent {
  addRequest(req: ClientRequest, options: unknown): void {
    guard(req);
    (https.Agent.prototype as unknown as { addRequest(r: ClientRequest, o: unknown): void }).addRequest.call(
      this,
      req,
      options,
    );
  }
}

function baseOptions(connection: HostConnection, seen: { fingerprint?: string }): Dockerode.DockerOptions {
  switch (connection.kind) {
    case "socket":
      return { socketPath: connection.socketPath, agent: new GuardedAgent() } as Dockerode.DockerOptions;
    case "tcp-tls":
      return {
        agent: new GuardedTlsAgent(),
        protocol: "https",
        host: connection.host,
        port: connection.port,
        ca: connection.ca,
        cert: connection.cert,
        key: connection.key,
      } as Dockerode.DockerOptions;
    case "ssh":
      return {
        protocol: "ssh",
        host: connection.host,
        port: connection.port,
        username: connection.username,
        sshOptions: {
          privateKey: connection.privateKey,
          // docker-modem's request timeout cannot apply over SSH (see
          // timeoutFor): the handshake has its own limit, and keep-alives
          // notice a host that stops answering.
          readyTimeout: 10_000,
          keepaliveInterval: 5_000,
          keepaliveCountMax: 3,
          // Pin the host key: refuse a key that differs from the stored one.
          hostVerifier: (key: Buffer) => {
            const fingerprint = `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
            seen.fingerprint = fingerprint;
            return !connection.hostFingerprint || connection.hostFingerprint === fingerprint;
          },
        } as Dockerode.DockerOptions["sshOptions"],
      };
  }
}

export function describeHost(connection: HostConnection): string {
  switch (connection.kind) {
    case "socket":
      return `${connection.name} (unix://${connection.socketPath})`;
    case "tcp-tls":
      return `${connection.name} (tcp://${connection.host}:${connection.port})`;
    case "ssh":
      return `${connection.name} (ssh://${connection.username}@${connection.host}:${connection.port})`;
  }
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split(".").map(Number);
  const [b1 = 0, b2 = 0] = b.split(".").map(Number);
  return a1 - b1 || a2 - b2;
}

/** The API version both sides speak, or a DockerError saying why there is none. */
export function negotiateApiVersion(server: { ApiVersion: string; MinAPIVersion?: string }, host: string): string {
  const chosen = compareVersions(server.ApiVersion, MAX_API_VERSION) < 0 ? server.ApiVersion : MAX_API_VERSION;
  if (compareVersions(chosen, MIN_API_VERSION) < 0) {
    throw new DockerError(
      "version",
      msg`The engine on ${host} speaks Docker API ${server.ApiVersion}, older than ${MIN_API_VERSION}.`,
      {
        hint: "Upgrade Docker on that host to 20.10 or later.",
      },
    );
  }
  if (server.MinAPIVersion && compareVersions(chosen, server.MinAPIVersion) < 0) {
    throw new DockerError(
      "version",
      msg`The engine on ${host} requires Docker API ${server.MinAPIVersion} or later; this panel speaks up to ${MAX_API_VERSION}.`,
      {
        hint: "Upgrade Paillasse.",
      },
    );
  }
  return chosen;
}

/**
 * The client factory: the only place that builds dockerode clients. Connects,
 * negotiates the API version with the engine, and returns a ready client.
 * Throws DockerError (unreachable, refused, timeout, tls, permission, auth,
 * fingerprint, version).
 */
/**
 * docker-modem's request timeout calls setTimeout on the connection, which an
 * SSH channel does not have: with a timeout the request is never sent. Over
 * SSH the limits come from ssh2 instead (see baseOptions).
 */
function timeoutFor(connection: HostConnection, ms: number): { timeout?: number } {
  return connection.kind === "ssh" ? {} : { timeout: ms };
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function connect(connection: HostConnection, options: ClientOptions = {}): Promise<DockerClient> {
  const host = describeHost(connection);
  const seen: { fingerprint?: string } = {};
  const connectTimeout = options.connectTimeoutMs ?? (connection.kind === "ssh" ? 15_000 : 5_000);
  const probe = new Dockerode({ ...baseOptions(connection, seen), ...timeoutFor(connection, connectTimeout) });
  let server: { ApiVersion: string; MinAPIVersion?: string; Version: string };
  try {
    // GET /version is unversioned: every engine answers it.
    server = (await withDeadline(probe.version(), connectTimeout)) as unknown as typeof server;
  } catch (error) {
    if (
      connection.kind === "ssh" &&
      connection.hostFingerprint &&
      seen.fingerprint &&
      seen.fingerprint !== connection.hostFingerprint
    ) {
      throw new DockerError(
        "fingerprint",
        msg`The SSH host key of ${host} changed: expected ${connection.hostFingerprint}, got ${seen.fingerprint}.`,
        {
          hint: "If the host was reinstalled, check the new key out of band and pin it again; otherwise someone may be intercepting the connection.",
          cause: error,
        },
      );
    }
    const code = (error as { code?: string }).code;
    if (connection.kind === "tcp-tls" && (code === "ECONNRESET" || code === "EPIPE")) {
      // With TLS 1.3 a rejected client certificate reaches us as a reset
      // right after the handshake, not as a TLS alert.
      throw new DockerError(
        "tls",
        msg`The engine at ${host} closed the TLS connection: it most likely does not accept the client certificate.`,
        {
          hint: "Check that the client certificate and key were issued by the CA the engine trusts (dockerd --tlscacert), and have not expired.",
          cause: error,
        },
      );
    }
    throw toDockerError(error, host, "Connecting to the Docker engine");
  }
  const apiVersion = negotiateApiVersion(server, host);
  const version = `v${apiVersion}`;
  return {
    host,
    apiVersion,
    engineVersion: server.Version,
    sshFingerprint: seen.fingerprint,
    api: new Dockerode({
      ...baseOptions(connection, seen),
      version,
      ...timeoutFor(connection, options.timeoutMs ?? 15_000),
    }),
    stream: new Dockerode({ ...baseOptions(connection, seen), version }),
  };
}
