import type { Db } from "../../lib/server/db/client";

/**
 * An instance row with its host and unit, straight in the database, for
 * tests of what the panel does with its inventory alone (no engine behind
 * it: the host's socket does not exist unless `socketPath` names one).
 */
export async function inventoryInstance(
  db: Db,
  o: { host?: { name?: string; kind?: "socket" | "ssh"; address?: string }; unitCode?: string; name?: string } = {},
): Promise<{ hostId: string; unitId: string; instanceId: string }> {
  const host = await db.dockerHost.create({
    data: {
      name: o.host?.name ?? "gone",
      kind: o.host?.kind ?? "socket",
      address: o.host?.address ?? "/nonexistent/docker.sock",
    },
  });
  const unit = await db.unit.create({ data: { code: o.unitCode ?? "UMR0001", name: "One" } });
  const instance = await db.instance.create({
    data: {
      name: o.name ?? "elab",
      unitId: unit.id,
      webHostId: host.id,
      webContainerName: "elabftw",
      databasePlacement: "container",
      imageTag: "5.0.4",
      siteUrl: "https://elab.unit.example",
      uploadsKind: "volume",
      uploadsSource: "uploads",
    },
  });
  return { hostId: host.id, unitId: unit.id, instanceId: instance.id };
}
