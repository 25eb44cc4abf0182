import type { Actor, RequestContext } from "../../lib/kernel";
import type { KeyRing } from "../../lib/crypto";
import type { Db } from "../../lib/server/db/client";
import { addInstanceByHand } from "../../lib/server/instances/add-instance";
import type { TestDatabase } from "./elabftw";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { createUnit } from "../../lib/server/units/manage-units";
import { TEST_SOCKET } from "./docker";
import { operatorWithKey } from "./operators";

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

/**
 * An operator with a key, a unit, the test engine as a host and the instance adopted on it: the
 * inventory a benchmark or a large test needs around containers it started itself.
 */
export async function adoptOnTestEngine(
  db: Db,
  ring: KeyRing,
  context: RequestContext,
  o: {
    email: string;
    role: "admin" | "operator";
    unit: { code: string; name: string };
    name: string;
    web: string;
    mysql: TestDatabase;
    schema: string;
    uploads: string;
  },
): Promise<{ actor: Actor & { securityKeyId: string }; unitId: string; hostId: string; instanceId: string }> {
  const operator = await operatorWithKey(db, o.email, o.role);
  const actor = { id: operator.id, email: operator.email, securityKeyId: operator.keyId };
  const unitId = (await createUnit(db, actor, o.unit, context)).id;
  const hostId = await createHost(
    db,
    ring,
    actor,
    { kind: "socket", name: "engine", socketPath: TEST_SOCKET },
    context,
  );
  const instanceId = await addEngineInstance(db, ring, actor, context, {
    name: o.name,
    unitId,
    hostId,
    web: o.web,
    mysql: o.mysql,
    schema: o.schema,
    uploads: o.uploads,
  });
  return { actor, unitId, hostId, instanceId };
}
