import type { KeyRing } from "../../lib/crypto";
import { removeVolume, type DockerClient } from "../../lib/docker";
import type { Db } from "../../lib/server/db/client";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { createUnit } from "../../lib/server/units/manage-units";
import { removeTestContainers, TEST_SOCKET, testEngine, uniqueName } from "./docker";
import { freshSchema, init, rootSql, startDatabase, startWeb, type TestDatabase, type WebOptions } from "./elabftw";
import { addEngineInstance } from "./instances";
import { operatorWithKey } from "./operators";

export const FIXTURE_CONTEXT = { ip: "10.0.0.8", userAgent: "vitest" };

/**
 * The one fixture for "an eLabFTW instance with data, in the inventory": a
 * database container with a fresh schema, a web container (stand-in image)
 * installed with `db:install`, the test's own rows and uploads, an operator
 * with a key, a unit, the test engine as a host, and the instance adopted by
 * hand as an admin would. Every name is unique to the run, and `cleanUp`
 * removes the containers and the uploads volume.
 */
export async function instanceFixture(
  db: Db,
  ring: KeyRing,
  o: {
    label: string;
    /** Stand-in image, e.g. elabftw/elabimg:5.1.0. */
    image: string;
    unitCode: string;
    /** The unit's name (default `Unit <code>`). */
    unitName?: string;
    /** Operator's e-mail (default `<label>@unit.example`). */
    email?: string;
    /** SECRET_KEY of the web container (default a fixed Defuse-shaped key). */
    secretKey?: string;
    /** Mount a named uploads volume `<run>-uploads` (default yes). */
    uploadsVolume?: boolean;
    web?: Partial<Omit<WebOptions, "image" | "database" | "secretKey" | "uploadsVolume">>;
    /** The database container's command and labels (options given to mysqld, compose labels). */
    database?: Parameters<typeof startDatabase>[2];
    /** SQL run in the instance's schema after the install (rows the test needs). */
    seedSql?: string[];
    /** Anything else to put in place before the instance is adopted (uploads on disk, …). */
    seed?: (f: { engine: DockerClient; web: string; mysql: TestDatabase; schema: string }) => Promise<void>;
    engine?: DockerClient;
    socketPath?: string;
    /** The host's name in the inventory (default `engine-<label>`). */
    hostName?: string;
    /** Name in the inventory (default the label). */
    name?: string;
    /** The uploads source the inventory records (default the uploads volume, else "uploads"). */
    inventoryUploadsSource?: string;
  },
) {
  const run = uniqueName(o.label);
  const engine = o.engine ?? (await testEngine());
  const uploads = o.uploadsVolume === false ? undefined : `${run}-uploads`;
  const mysql = await startDatabase(engine, run, o.database);
  const schema = await freshSchema(engine, mysql);
  const web = await startWeb(engine, run, mysql, {
    ...o.web,
    image: o.image,
    database: schema,
    secretKey: o.secretKey ?? "def00000" + "e".repeat(120),
    uploadsVolume: uploads,
  });
  const installed = await init(engine, web, "db:install");
  if (installed.exitCode !== 0) throw new Error(`db:install failed: ${installed.stderr || installed.stdout}`);
  if (o.seedSql?.length) await rootSql(engine, mysql, o.seedSql.join(" "), schema);
  await o.seed?.({ engine, web, mysql, schema });

  const operator = await operatorWithKey(db, o.email ?? `${o.label}@unit.example`, "operator");
  const actor = { id: operator.id, email: operator.email, securityKeyId: operator.keyId };
  const unitId = (
    await createUnit(db, actor, { code: o.unitCode, name: o.unitName ?? `Unit ${o.unitCode}` }, FIXTURE_CONTEXT)
  ).id;
  const hostId = await createHost(
    db,
    ring,
    actor,
    { kind: "socket", name: o.hostName ?? `engine-${o.label}`, socketPath: o.socketPath ?? TEST_SOCKET },
    FIXTURE_CONTEXT,
  );
  const name = o.name ?? o.label;
  const instanceId = await addEngineInstance(db, ring, actor, FIXTURE_CONTEXT, {
    name,
    unitId,
    hostId,
    web,
    mysql,
    schema,
    uploads: o.inventoryUploadsSource ?? uploads,
  });

  async function cleanUp() {
    await removeTestContainers(engine, run);
    if (uploads) await removeVolume(engine, uploads).catch(() => undefined);
  }

  return {
    engine,
    run,
    mysql,
    schema,
    web,
    uploads,
    name,
    actor,
    unitId,
    hostId,
    instanceId,
    context: FIXTURE_CONTEXT,
    cleanUp,
  };
}
export type InstanceFixture = Awaited<ReturnType<typeof instanceFixture>>;
