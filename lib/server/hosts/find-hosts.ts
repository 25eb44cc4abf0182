import type { Db } from "../db/client";
import { readHostSnapshot } from "./snapshot";

export async function findHosts(db: Db) {
  return db.dockerHost.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      kind: true,
      address: true,
      port: true,
      reachability: true,
      lastSnapshotAt: true,
      lastSnapshotError: true,
      engineVersion: true,
      freeBytes: true,
      _count: { select: { webInstances: true } },
    },
  });
}

/** One host for its page: everything but the secrets, of which only their presence is told. */
export async function findHost(db: Db, id: string) {
  const host = await db.dockerHost.findUnique({
    where: { id },
    include: {
      webInstances: { select: { id: true, name: true }, orderBy: { name: "asc" } },
      databaseInstances: { select: { id: true, name: true }, orderBy: { name: "asc" } },
    },
  });
  if (!host) return null;
  const secrets = await db.dockerHost.findUniqueOrThrow({
    where: { id },
    select: { tlsClientKeyEnc: true, sshPrivateKeyEnc: true },
  });
  return {
    ...host,
    snapshot: readHostSnapshot(host.snapshot),
    hasClientKey: !!secrets.tlsClientKeyEnc,
    hasSshKey: !!secrets.sshPrivateKeyEnc,
  };
}
