import type { HostConnection } from "../../docker";
import { open, seal, type KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import type { DockerHost } from "../../generated/prisma/client";
import { msg } from "../../i18n/message";

/**
 * The bridge between a stored DockerHost row and lib/docker: secrets are
 * sealed with the master key, bound to the host and the field, and opened
 * only here, just before connecting.
 */
export const secretContext = (hostId: string, field: "tlsClientKey" | "sshPrivateKey") =>
  `dockerHost:${hostId}:${field}`;

export function sealHostSecret(ring: KeyRing, hostId: string, field: "tlsClientKey" | "sshPrivateKey", value: string) {
  return seal(ring, value, secretContext(hostId, field));
}

type HostRow = Pick<
  DockerHost,
  | "id"
  | "name"
  | "kind"
  | "address"
  | "port"
  | "sshUser"
  | "sshHostFingerprint"
  | "tlsCaCert"
  | "tlsClientCert"
  | "tlsClientKeyEnc"
  | "sshPrivateKeyEnc"
>;

/** Select this (secrets included) to build a connection. */
export const CONNECTION_FIELDS = {
  id: true,
  name: true,
  kind: true,
  address: true,
  port: true,
  sshUser: true,
  sshHostFingerprint: true,
  tlsCaCert: true,
  tlsClientCert: true,
  tlsClientKeyEnc: true,
  sshPrivateKeyEnc: true,
} as const;

export function hostConnection(row: HostRow, ring: KeyRing): HostConnection {
  const missing = (what: string) =>
    new AppError("config", msg`Host ${row.name} has no ${what} stored.`, { hint: "Edit the host and enter it again." });
  switch (row.kind) {
    case "socket":
      return { kind: "socket", name: row.name, socketPath: row.address };
    case "tcp_tls":
      if (!row.tlsCaCert || !row.tlsClientCert) throw missing("TLS certificates");
      if (!row.tlsClientKeyEnc) throw missing("TLS client key");
      return {
        kind: "tcp-tls",
        name: row.name,
        host: row.address,
        port: row.port ?? 2376,
        ca: row.tlsCaCert,
        cert: row.tlsClientCert,
        key: open(ring, row.tlsClientKeyEnc, secretContext(row.id, "tlsClientKey")),
      };
    case "ssh":
      if (!row.sshPrivateKeyEnc || !row.sshUser) throw missing("SSH user and key");
      return {
        kind: "ssh",
        name: row.name,
        host: row.address,
        port: row.port ?? 22,
        username: row.sshUser,
        privateKey: open(ring, row.sshPrivateKeyEnc, secretContext(row.id, "sshPrivateKey")),
        hostFingerprint: row.sshHostFingerprint ?? undefined,
      };
  }
}
