import type { Actor, RequestContext } from "../../lib/kernel";
import type { KeyRing } from "../../lib/crypto";
import type { Db } from "../../lib/server/db/client";
import { addInstanceByHand } from "../../lib/server/instances/add-instance";
import type { TestDatabase } from "./elabftw";

/** Put a stand-in instance running on the test engine (web + its database container) into the inventory. */
export function addEngineInstance(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  context: RequestContext,
  o: {
    name: string;
    unitId: string;
    hostId: string;
    web: string;
    mysql: TestDatabase;
    schema: string;
    uploads?: string;
  },
): Promise<string> {
  return addInstanceByHand(
    db,
    ring,
    actor,
    {
      name: o.name,
      unitId: o.unitId,
      webHostId: o.hostId,
      webContainerName: o.web,
      siteUrl: "https://elab.unit.example",
      databasePlacement: "container",
      databaseHostId: o.hostId,
      databaseContainerName: o.mysql.container,
      databaseName: o.schema,
      databaseUser: "elabftw",
      uploadsKind: "volume",
      uploadsSource: o.uploads ?? "uploads",
      dbPassword: o.mysql.userPassword,
    },
    context,
  );
}
