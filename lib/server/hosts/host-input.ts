import { isIP } from "node:net";
import { z } from "zod";
import { certificateMatchesKey, certificateProblem, sshKeyProblem, tlsKeyProblem } from "../../docker";
import { AppError } from "../../errors";

/**
 * What an operator types (or uploads) to add or edit a Docker host. Secrets
 * (TLS client key, SSH private key) may be left empty on edit to keep the
 * stored ones. Validated here, before anything is stored or any connection
 * is tried; a problem is reported as one sentence naming the field.
 */
const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const name = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
    message: "must be 1 to 63 lower-case letters, digits or dashes, starting with a letter or digit",
  });
const address = z
  .string()
  .trim()
  .refine((v) => isIP(v) !== 0 || HOSTNAME.test(v), { message: "must be a host name or an IP address" });
const port = (fallback: number) =>
  z.coerce
    .number({ message: "must be a port number" })
    .int({ message: "must be a whole number" })
    .min(1, { message: "must be between 1 and 65535" })
    .max(65535, { message: "must be between 1 and 65535" })
    .default(fallback);
const pem = z.string().trim().max(20_000, { message: "is too long for a PEM block" });

export const hostInputSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("socket"),
    name,
    socketPath: z
      .string()
      .trim()
      .regex(/^\/[^\0\s]*$/, { message: "must be an absolute path such as /var/run/docker.sock" }),
  }),
  z.object({
    kind: z.literal("tcp_tls"),
    name,
    address,
    port: port(2376),
    tlsCaCert: pem.min(1, { message: "is required: the CA certificate that signed the engine's certificate" }),
    tlsClientCert: pem.min(1, { message: "is required: the panel's client certificate" }),
    /** Empty on edit: keep the stored key. */
    tlsClientKey: pem.optional(),
  }),
  z.object({
    kind: z.literal("ssh"),
    name,
    address,
    port: port(22),
    sshUser: z
      .string()
      .trim()
      .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, { message: "must be a user name such as paillasse" }),
    /** Empty on edit: keep the stored key. */
    sshPrivateKey: z.string().trim().max(20_000).optional(),
  }),
]);

export type HostInput = z.output<typeof hostInputSchema>;

const LABEL: Record<string, string> = {
  name: "Name",
  socketPath: "Socket path",
  address: "Address",
  port: "Port",
  tlsCaCert: "CA certificate",
  tlsClientCert: "Client certificate",
  tlsClientKey: "Client key",
  sshUser: "SSH user",
  sshPrivateKey: "SSH private key",
  kind: "Connection type",
};

/** Parse and check a host form; `creating` requires the secrets that editing may keep. */
export function parseHostInput(raw: unknown, creating: boolean): HostInput {
  const parsed = hostInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? "kind");
    const message =
      field === "kind"
        ? "Connection type must be Unix socket, TCP with mutual TLS, or SSH."
        : `${LABEL[field] ?? field} ${issue.message}.`;
    throw new AppError("bad_input", message, { hint: "Correct it and save again; nothing was changed." });
  }
  const input = parsed.data;
  const bad = (message: string) =>
    new AppError("bad_input", message, { hint: "Correct it and save again; nothing was changed." });
  if (input.kind === "tcp_tls") {
    const problem =
      certificateProblem(input.tlsCaCert, "The CA certificate") ??
      certificateProblem(input.tlsClientCert, "The client certificate") ??
      (input.tlsClientKey ? tlsKeyProblem(input.tlsClientKey) : null);
    if (problem) throw bad(problem);
    if (!input.tlsClientKey && creating)
      throw bad("Client key is required: the private key of the client certificate.");
    if (input.tlsClientKey && !certificateMatchesKey(input.tlsClientCert, input.tlsClientKey)) {
      throw bad("The client key does not belong to the client certificate: paste the matching pair.");
    }
  }
  if (input.kind === "ssh") {
    if (!input.sshPrivateKey && creating) throw bad("SSH private key is required.");
    const problem = input.sshPrivateKey ? sshKeyProblem(input.sshPrivateKey) : null;
    if (problem) throw bad(problem);
  }
  return input;
}
