import { createHash } from "node:crypto";
import { canonicalJson } from "../../canonical-json";
import { connect, type ClientOptions, type DockerClient } from "../../docker";
import type { KeyRing } from "../../crypto";
import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { CONNECTION_FIELDS, hostConnection } from "./host-connection";

/** A connected client for a stored host (its secrets opened just for this). */
export async function clientFor(
  db: Db,
  ring: KeyRing,
  hostId: string,
  options: ClientOptions = {},
): Promise<DockerClient> {
  const row = await db.dockerHost.findUnique({ where: { id: hostId }, select: CONNECTION_FIELDS });
  if (!row) throw new AppError("not_found", "This host is no longer in the panel.", { hint: "Reload the page." });
  return connect(hostConnection(row, ring), { timeoutMs: 15_000, ...options });
}

/**
 * Clients for stored hosts, kept for the life of one operation or request:
 * connecting asks the engine its version (and, over SSH, shakes hands), so a
 * step that reaches the same host again reuses the client. A client is keyed
 * by the host and a hash of its connection settings: a host edited meanwhile
 * gets a new one. A failed connection is not kept.
 */
export function hostClients(db: Db, ring: KeyRing, options: ClientOptions = {}) {
  const cache = new Map<string, Promise<DockerClient>>();
  return async function client(hostId: string): Promise<DockerClient> {
    const row = await db.dockerHost.findUnique({ where: { id: hostId }, select: CONNECTION_FIELDS });
    if (!row) throw new AppError("not_found", "This host is no longer in the panel.", { hint: "Reload the page." });
    const key = `${hostId}:${createHash("sha256").update(canonicalJson(row)).digest("hex")}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = connect(hostConnection(row, ring), { timeoutMs: 15_000, ...options });
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    return pending;
  };
}
export type HostClients = ReturnType<typeof hostClients>;
