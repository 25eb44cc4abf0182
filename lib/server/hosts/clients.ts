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
