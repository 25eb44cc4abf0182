import { openInstanceSecrets, sealInstanceSecrets, type InstanceSecrets } from "./instance-secrets";
import type { Actor, RequestContext } from "../../kernel";
import { seal, type KeyRing } from "../../crypto";
import { DockerError, inspectContainer, type ContainerDetails } from "../../docker";
import { AppError } from "../../errors";
import { appendAuditEvent, requestedBy, withAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { databaseSpecContext } from "./instance-secrets";
import { msg } from "../../i18n/message";

/**
 * Repair and removal, for when the world changed outside the panel: an
 * instance re-installed by hand (new passwords, containers re-created) has
 * its credentials and container identity read again from its containers; an
 * instance that is gone, or that the panel should no longer manage, leaves
 * the inventory (its containers and its restore points' files stay where
 * they are).
 */

async function loadInstance(db: Db, instanceId: string) {
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    select: {
      id: true,
      name: true,
      unitId: true,
      webHostId: true,
      webContainerName: true,
      webContainerId: true,
      databasePlacement: true,
      databaseHostId: true,
      databaseContainerName: true,
      databaseName: true,
      databaseUser: true,
      activeOperationId: true,
      secretsEnc: true,
    },
  });
  if (!instance)
    throw new AppError("not_found", "This instance is not in the inventory.", { hint: "Reload the page." });
  return instance;
}

function refuseWhileHeld(instance: { activeOperationId: string | null; name: string }) {
  if (instance.activeOperationId) {
    throw new AppError("conflict", msg`An operation is running on ${instance.name}.`, {
      hint: "Wait for it to end (see its page), then try again. Nothing was changed.",
    });
  }
}

/**
 * Read DB_PASSWORD, SECRET_KEY, DB_NAME and DB_USER from the web container and
 * MYSQL_ROOT_PASSWORD from the database container again, and the web
 * container's current ID; keep the API key. Says which values changed (their
 * names only).
 */
export async function rereadCredentials(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  instanceId: string,
  context: RequestContext,
): Promise<{ changed: string[]; containerChanged: boolean }> {
  const instance = await loadInstance(db, instanceId);
  refuseWhileHeld(instance);
  const client = await clientFor(db, ring, instance.webHostId);
  let web: ContainerDetails;
  try {
    web = await inspectContainer(client, instance.webContainerName);
  } catch (error) {
    if (error instanceof DockerError && error.failure === "not_found") {
      throw new AppError("not_found", msg`The web container ${instance.webContainerName} does not exist on its host.`, {
        hint: "Start the instance again (docker compose up -d), or remove it from the inventory. Nothing was changed.",
      });
    }
    throw error;
  }
  let database: ContainerDetails | null = null;
  if (instance.databasePlacement === "container" && instance.databaseHostId && instance.databaseContainerName) {
    const dbClient =
      instance.databaseHostId === instance.webHostId ? client : await clientFor(db, ring, instance.databaseHostId);
    database = await inspectContainer(dbClient, instance.databaseContainerName).catch(() => null);
  }
  const twin = await db.instance.findFirst({
    where: { webContainerId: web.id, id: { not: instance.id } },
    select: { name: true },
  });
  if (twin) {
    throw new AppError("conflict", msg`This container is already in the inventory as “${twin.name}”.`, {
      hint: "A container is adopted once. Nothing was changed.",
    });
  }
  const old = openInstanceSecrets(ring, instance);
  const read: InstanceSecrets = {
    dbPassword: web.env.DB_PASSWORD || undefined,
    secretKey: web.env.SECRET_KEY || undefined,
    mysqlRootPassword: database?.env.MYSQL_ROOT_PASSWORD || undefined,
  };
  const secrets: InstanceSecrets = { ...old };
  const changed: string[] = [];
  for (const name of ["dbPassword", "secretKey", "mysqlRootPassword"] as const) {
    const value = read[name];
    if (value === undefined || old[name] === value) continue;
    secrets[name] = value;
    changed.push(name);
  }
  const databaseName = web.env.DB_NAME || instance.databaseName;
  const databaseUser = web.env.DB_USER || instance.databaseUser;
  if (databaseName !== instance.databaseName) changed.push("databaseName");
  if (databaseUser !== instance.databaseUser) changed.push("databaseUser");
  const containerChanged = instance.webContainerId !== web.id;
  await withAuditEvent(
    db,
    (tx) =>
      tx.instance.update({
        where: { id: instance.id },
        data: {
          secretsEnc: sealInstanceSecrets(ring, instance.id, secrets),
          databaseName,
          databaseUser,
          webContainerId: web.id,
          ...(database
            ? { databaseSpecEnc: seal(ring, JSON.stringify(database.createSpec), databaseSpecContext(instance.id)) }
            : {}),
        },
      }),
    () => ({
      ...requestedBy(actor, context),
      action: "instance.reread_credentials",
      outcome: "success",
      target: { type: "instance", id: instance.id },
      instanceId: instance.id,
      unitId: instance.unitId,
      // Names of what changed, never values.
      params: { name: instance.name, changed, containerChanged },
    }),
  );
  return { changed, containerChanged };
}

/**
 * Take an instance out of the inventory. Nothing changes on its hosts (its
 * containers keep running) and its restore points' files stay on disk: their
 * rows go with the instance, and the audit event says where they are.
 */
export async function removeInstanceFromInventory(
  db: Db,
  actor: Actor,
  instanceId: string,
  context: RequestContext,
): Promise<{ backupsKept: number; directories: string[] }> {
  const instance = await loadInstance(db, instanceId);
  refuseWhileHeld(instance);
  const backups = await db.backup.findMany({ where: { instanceId }, select: { location: true } });
  const directories = [...new Set(backups.map((b) => b.location).filter((l): l is string => !!l))];
  await db.$transaction(async (tx) => {
    await tx.backup.deleteMany({ where: { instanceId } });
    // Conditional on no operation having taken it meanwhile (else the whole transaction is undone).
    const gone = await tx.instance.deleteMany({ where: { id: instanceId, activeOperationId: null } });
    if (gone.count === 0) {
      throw new AppError("conflict", msg`An operation is running on ${instance.name}.`, {
        hint: "Wait for it to end (see its page), then try again. Nothing was changed.",
      });
    }
    await appendAuditEvent(tx, {
      ...requestedBy(actor, context),
      action: "instance.delete",
      outcome: "success",
      target: { type: "instance", id: instance.id },
      instanceId: instance.id,
      unitId: instance.unitId,
      params: {
        name: instance.name,
        container: instance.webContainerName,
        backupsKept: directories.length,
        // Where the restore points stay (they open without the panel: age and the backup key).
        backupDirectories: directories.slice(0, 50),
      },
    });
  });
  return { backupsKept: directories.length, directories };
}
