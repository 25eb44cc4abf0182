import { AppError, type ErrorCode } from "../errors";
import { msg, type Wording } from "../i18n/message";

/** Why a call to a Docker engine failed, in words an operator can act on. */
export type DockerFailure =
  | "unreachable" // nothing answers at that address / socket missing
  | "refused" // connection refused
  | "timeout" // no answer in time (black-holed host, stuck engine)
  | "tls" // TLS handshake or certificate problem
  | "permission" // socket permission denied, or the engine refused the credentials
  | "fingerprint" // SSH host key differs from the pinned one
  | "auth" // SSH authentication failed
  | "not_found" // no such container / image / exec / tag
  | "conflict" // name in use, container running, …
  | "version" // engine API too old or too new for this panel
  | "engine"; // the engine answered with an error

const CODE: Record<DockerFailure, ErrorCode> = {
  unreachable: "unavailable",
  refused: "unavailable",
  timeout: "unavailable",
  tls: "unavailable",
  permission: "forbidden",
  fingerprint: "unavailable",
  auth: "forbidden",
  not_found: "not_found",
  conflict: "conflict",
  version: "precondition_failed",
  engine: "unavailable",
};

export class DockerError extends AppError {
  readonly failure: DockerFailure;
  readonly statusCode?: number;

  constructor(
    failure: DockerFailure,
    message: Wording,
    options: { hint?: Wording; cause?: unknown; statusCode?: number } = {},
  ) {
    super(CODE[failure], message, options);
    this.name = "DockerError";
    this.failure = failure;
    this.statusCode = options.statusCode;
  }
}

const TLS_CODES =
  /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_OSSL|EPROTO$|ECONNRESET_TLS)/;

/**
 * Turn whatever dockerode, docker-modem, Node or ssh2 threw into a
 * DockerError naming the host and saying what to check. Engine messages are
 * kept (they name the container or image), low-level noise is not.
 */
export function toDockerError(error: unknown, host: string, action: string): DockerError {
  if (error instanceof DockerError) return error;
  const e = error as {
    code?: string;
    statusCode?: number;
    message?: string;
    json?: { message?: string };
    reason?: string;
    level?: string;
  };
  const engineMessage = (e?.json?.message ?? e?.message ?? String(error)).trim();
  const code = e?.code ?? "";
  if (typeof e?.statusCode === "number") {
    const status = e.statusCode;
    const failure: DockerFailure =
      status === 404
        ? "not_found"
        : status === 409 || status === 304
          ? "conflict"
          : status === 401 || status === 403
            ? "permission"
            : "engine";
    return new DockerError(
      failure,
      msg`${action} on ${host}: ${engineMessage.replace(/^\(HTTP code \d+\)\s*[a-z -]*-\s*/i, "")}`,
      {
        cause: error,
        statusCode: status,
      },
    );
  }
  if (code === "ENOENT") {
    return new DockerError("unreachable", msg`${action}: no Docker socket at ${host}.`, {
      hint: "Check that the Docker engine runs on that machine and that the socket path is right.",
      cause: error,
    });
  }
  if (code === "EACCES") {
    return new DockerError("permission", msg`${action}: permission denied on ${host}.`, {
      hint: "The panel's user must be allowed to use that socket (usually: member of the docker group).",
      cause: error,
    });
  }
  if (code === "ECONNREFUSED") {
    return new DockerError("refused", msg`${action}: ${host} refused the connection.`, {
      hint: "Check the address and port, and that the engine listens there.",
      cause: error,
    });
  }
  if (code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT" || /timeout|timed out/i.test(engineMessage)) {
    return new DockerError("timeout", msg`${action}: ${host} did not answer in time.`, {
      hint: "The host may be down, or a firewall may drop the traffic.",
      cause: error,
    });
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new DockerError("unreachable", msg`${action}: ${host} cannot be reached (${code}).`, {
      hint: "Check the host name and the network path from the panel (VPN, firewall).",
      cause: error,
    });
  }
  if (TLS_CODES.test(code) || /certificate|ssl|tls|handshake/i.test(engineMessage)) {
    return new DockerError("tls", msg`${action}: the TLS connection to ${host} failed (${code || engineMessage}).`, {
      hint: "Check the CA certificate, and that the client certificate and key were issued by the CA the engine trusts.",
      cause: error,
    });
  }
  if (e?.level === "client-authentication" || /authentication/i.test(engineMessage)) {
    return new DockerError("auth", msg`${action}: ${host} refused the SSH key.`, {
      hint: "Check the SSH user and that its authorized_keys holds the panel's public key.",
      cause: error,
    });
  }
  if (code === "ECONNRESET" || code === "EPIPE") {
    return new DockerError("unreachable", msg`${action}: the connection to ${host} was cut (${code}).`, {
      hint: "The engine or a proxy closed the connection; try again, and check the engine's logs if it persists.",
      cause: error,
    });
  }
  return new DockerError("engine", msg`${action} on ${host} failed: ${engineMessage}`, { cause: error });
}

const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ENOENT",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * An error met while a stream from the engine was being read: a broken
 * connection becomes a DockerError naming the host; anything else (the
 * reader's own failure) is returned as it is.
 */
export function streamError(error: unknown, host: string, action: string): unknown {
  const code = (error as { code?: string } | null)?.code ?? "";
  return CONNECTION_CODES.has(code) ? toDockerError(error, host, action) : error;
}
