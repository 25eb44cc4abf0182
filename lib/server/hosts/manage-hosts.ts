import type { Actor, RequestContext } from "../../kernel";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import { recordAuditEvent, requestedBy, withAuditEvent, type AuditInput } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { sealHostSecret } from "./host-connection";
import { refreshHost, type SnapshotOptions } from "./snapshot";
import { parseHostInput, type HostInput } from "./host-input";
import { msg } from "../../i18n/message";

/**
 * Adding, editing and removing Docker hosts. Secrets are sealed with the
 * master key before they touch the database and never come back out to a
 * page; an edit that leaves a secret empty keeps the stored one. Every
 * change is audited, without the secrets.
 */

function columns(ring: KeyRing, id: string, input: HostInput) {
  switch (input.kind) {
    case "socket":
      return {
        kind: "socket" as const,
        address: input.socketPath,
        port: null,
        sshUser: null,
        tlsCaCert: null,
        tlsClientCert: null,
        tlsClientKeyEnc: null,
        sshPrivateKeyEnc: null,
        sshHostFingerprint: null,
      };
    case "tcp_tls":
      return {
        kind: "tcp_tls" as const,
        address: input.address,
        port: input.port,
        sshUser: null,
        tlsCaCert: input.tlsCaCert,
        tlsClientCert: input.tlsClientCert,
        ...(input.tlsClientKey
          ? { tlsClientKeyEnc: sealHostSecret(ring, id, "tlsClientKey", input.tlsClientKey) }
          : {}),
        sshPrivateKeyEnc: null,
        sshHostFingerprint: null,
      };
    case "ssh":
      return {
        kind: "ssh" as const,
        address: input.address,
        port: input.port,
        sshUser: input.sshUser,
        tlsCaCert: null,
        tlsClientCert: null,
        tlsClientKeyEnc: null,
        ...(input.sshPrivateKey
          ? { sshPrivateKeyEnc: sealHostSecret(ring, id, "sshPrivateKey", input.sshPrivateKey) }
          : {}),
      };
  }
}

/** What the audit log may say about a host: no key, no certificate body. */
function auditParams(input: HostInput) {
  return {
    name: input.name,
    kind: input.kind,
    address: input.kind === "socket" ? input.socketPath : `${input.address}:${input.port}`,
    ...(input.kind === "ssh" ? { user: input.sshUser, keyReplaced: !!input.sshPrivateKey } : {}),
    ...(input.kind === "tcp_tls" ? { keyReplaced: !!input.tlsClientKey } : {}),
  };
}

function hostEvent(
  actor: Actor,
  context: RequestContext,
  action: string,
  hostId: string,
  params: Record<string, unknown>,
  outcome: "success" | "failure" = "success",
): AuditInput {
  return { ...requestedBy(actor, context), action, outcome, target: { type: "docker_host", id: hostId }, params };
}

function nameTaken(name: string) {
  return new AppError("conflict", msg`A host named “${name}” already exists.`, { hint: "Choose another name." });
}

/** Store a new host from checked input (its secrets sealed); the caller audits. */
async function insertHost(db: Pick<Db, "dockerHost">, ring: KeyRing, raw: unknown) {
  const input = parseHostInput(raw, true);
  if (await db.dockerHost.findUnique({ where: { name: input.name }, select: { id: true } }))
    throw nameTaken(input.name);
  const id = randomUUID();
  await db.dockerHost.create({ data: { id, name: input.name, ...columns(ring, id, input) } });
  return { id, input };
}

export async function createHost(db: Db, ring: KeyRing, actor: Actor, raw: unknown, context: RequestContext) {
  const { id } = await withAuditEvent(
    db,
    (tx) => insertHost(tx, ring, raw),
    ({ id, input }) => hostEvent(actor, context, "host.create", id, auditParams(input)),
  );
  return id;
}

/**
 * Add a host as an operator does: stored, then read at once. An engine that
 * is already in the panel under another entry (the same socket, or the same
 * machine reached over TLS or SSH) is refused and nothing is kept: two
 * entries for one engine would give its containers two inventories and two
 * locks. An engine that cannot be reached yet is kept, and checked at every
 * snapshot.
 */
export async function addHost(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  raw: unknown,
  context: RequestContext,
  options: SnapshotOptions = {},
): Promise<{ id: string; outcome: Awaited<ReturnType<typeof refreshHost>> }> {
  const { id, input } = await insertHost(db, ring, raw);
  const outcome = await refreshHost(db, ring, id, options);
  if (outcome.ok && outcome.duplicateOf) {
    await withAuditEvent(
      db,
      (tx) => tx.dockerHost.delete({ where: { id } }),
      () =>
        hostEvent(
          actor,
          context,
          "host.create",
          id,
          { ...auditParams(input), reason: "engine already added", existing: outcome.duplicateOf },
          "failure",
        ),
    );
    throw new AppError("conflict", msg`This engine is already added as “${outcome.duplicateOf}”.`, {
      hint: "Use that host: two entries for one engine would let two operations run at once on the same containers. Nothing was added.",
    });
  }
  // Stored before it was read (the read needs the row): the event follows the engine's answer.
  await recordAuditEvent(db, hostEvent(actor, context, "host.create", id, auditParams(input)));
  return { id, outcome };
}

export async function updateHost(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  hostId: string,
  raw: unknown,
  context: RequestContext,
) {
  const id = z.string().uuid().safeParse(hostId);
  if (!id.success) throw new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." });
  const current = await db.dockerHost.findUnique({
    where: { id: hostId },
    select: { kind: true, name: true, address: true, port: true, sshUser: true },
  });
  if (!current) throw new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." });
  const input = parseHostInput(raw, false);
  if (
    input.kind !== current.kind &&
    ((input.kind === "tcp_tls" && !input.tlsClientKey) || (input.kind === "ssh" && !input.sshPrivateKey))
  ) {
    throw new AppError("bad_input", "Changing the connection type needs the new key too.", {
      hint: "Paste the key for the new connection type; nothing was changed.",
    });
  }
  const other = await db.dockerHost.findUnique({ where: { name: input.name }, select: { id: true } });
  if (other && other.id !== hostId) throw nameTaken(input.name);
  const data = columns(ring, hostId, input);
  // A different SSH endpoint or user is a different machine: its host key is pinned again on first use.
  const endpointChanged =
    input.kind === "ssh" &&
    (current.kind !== "ssh" ||
      current.address !== input.address ||
      current.port !== input.port ||
      current.sshUser !== input.sshUser);
  await withAuditEvent(
    db,
    (tx) =>
      tx.dockerHost.update({
        where: { id: hostId },
        data: {
          name: input.name,
          ...data,
          ...(endpointChanged ? { sshHostFingerprint: null } : {}),
          reachability: "unknown",
        },
      }),
    () => hostEvent(actor, context, "host.update", hostId, auditParams(input)),
  );
}

/** Remove a host from the panel (nothing changes on the host itself). Refused while instances live there. */
export async function deleteHost(db: Db, actor: Actor, hostId: string, context: RequestContext) {
  const host = await db.dockerHost.findUnique({
    where: { id: hostId },
    select: {
      name: true,
      _count: { select: { webInstances: true, databaseInstances: true } },
    },
  });
  if (!host) throw new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." });
  const used = host._count.webInstances + host._count.databaseInstances;
  if (used > 0) {
    throw new AppError("conflict", msg`${host.name} still runs ${used} instance(s) of the inventory.`, {
      hint: "Remove or move those instances from the inventory first.",
    });
  }
  await withAuditEvent(
    db,
    (tx) => tx.dockerHost.delete({ where: { id: hostId } }),
    () => hostEvent(actor, context, "host.delete", hostId, { name: host.name }),
  );
}

/** Forget a pinned SSH host key (after checking the new one out of band): the next connection pins the key it sees. */
export async function forgetHostFingerprint(db: Db, actor: Actor, hostId: string, context: RequestContext) {
  const host = await db.dockerHost.findUnique({
    where: { id: hostId },
    select: { name: true, sshHostFingerprint: true },
  });
  if (!host) throw new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." });
  await withAuditEvent(
    db,
    (tx) =>
      tx.dockerHost.update({ where: { id: hostId }, data: { sshHostFingerprint: null, reachability: "unknown" } }),
    () =>
      hostEvent(actor, context, "host.forget_fingerprint", hostId, {
        name: host.name,
        previous: host.sshHostFingerprint,
      }),
  );
}
