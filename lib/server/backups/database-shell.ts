import { randomBytes } from "node:crypto";
import {
  createContainer,
  execCapture,
  imageExists,
  inspectContainer,
  pullImage,
  removeContainer,
  startContainer,
  type DockerClient,
} from "../../docker";
import { AppError } from "../../errors";
import type { KeyRing } from "../../crypto";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";

/** The client tools' image for databases the panel does not run (mysqldump, mysql). */
export const DATABASE_CLIENT_IMAGE = "mysql:8.0";

export interface DatabaseInstance {
  databasePlacement: "container" | "external";
  databaseHostId: string | null;
  databaseContainerName: string | null;
  databaseAddress: string | null;
  databasePort: number;
  databaseTls: boolean;
  webHostId: string;
  webContainerName: string;
}

/**
 * Where `mysqldump` and `mysql` run for an instance: inside its database
 * container when the panel manages it, or, for an external server, in a
 * throw-away container of the database client image on the web host, on
 * the web container's networks (it reaches the server as eLabFTW does, even
 * while eLabFTW is stopped for a restore), removed afterwards. `connect(mariadb)` gives the client
 * options that point at the server (none inside the database container).
 */
export interface DatabaseShell {
  client: DockerClient;
  container: string;
  image: string;
  external: boolean;
  /** What the logs name as the dump's source, when not `container` itself. */
  dumpFrom?: string;
  connect(mariadbClient: boolean): string[];
  close(): Promise<void>;
}

/** One SQL statement through the shell as `user`, its rows tab-separated (`mysql --batch --skip-column-names`). */
export function queryThroughShell(shell: DatabaseShell, user: string, password: string, sql: string) {
  return execCapture(shell.client, shell.container, {
    cmd: ["mysql", ...shell.connect(false), "--batch", "--skip-column-names", "-u", user, "-e", sql],
    env: { MYSQL_PWD: password },
  });
}

/**
 * A shell that also sees a staging volume of the web host at `stage.at`, so that the dump is written
 * there by mysqldump itself instead of passing through the panel: a throw-away container of the
 * database's own image sharing the database container's network (it reaches the server on
 * 127.0.0.1, as a TCP client), or the external server's client container with the volume mounted.
 * Null when the database runs on another host than the web container (the volume is not there).
 */
export async function openStagedDatabaseShell(
  db: Db,
  ring: KeyRing,
  instance: DatabaseInstance,
  stage: { volume: string; at: string },
): Promise<DatabaseShell | null> {
  const mount = { Type: "volume" as const, Source: stage.volume, Target: stage.at };
  if (instance.databasePlacement === "external") return openDatabaseShell(db, ring, instance, [mount]);
  if (!instance.databaseContainerName || instance.databaseHostId !== instance.webHostId) return null;
  const client = await clientFor(db, ring, instance.webHostId);
  const live = await inspectContainer(client, instance.databaseContainerName);
  if (!live.state.running) return null;
  const container = `paillasse-dump-${randomBytes(4).toString("hex")}`;
  await createContainer(client, {
    name: container,
    Image: live.image,
    Entrypoint: ["sleep"],
    Cmd: ["86400"],
    Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": "database-dump" },
    HostConfig: {
      NetworkMode: `container:${live.id}`,
      Mounts: [mount],
      Memory: 512 * 1024 * 1024,
      RestartPolicy: { Name: "no" },
    },
  });
  try {
    await startContainer(client, container);
  } catch (error) {
    await removeContainer(client, container, { force: true }).catch(() => undefined);
    throw error;
  }
  const port = String(instance.databasePort);
  return {
    client,
    container,
    image: live.image,
    external: false,
    dumpFrom: `${instance.databaseContainerName}, written by ${container} on its network into the staging volume`,
    connect: () => ["--protocol=TCP", "-h", "127.0.0.1", "-P", port],
    close: () => removeContainer(client, container, { force: true }).catch(() => undefined),
  };
}

export async function openDatabaseShell(
  db: Db,
  ring: KeyRing,
  instance: DatabaseInstance,
  mounts: { Type: "volume"; Source: string; Target: string }[] = [],
): Promise<DatabaseShell> {
  if (instance.databasePlacement === "container") {
    if (!instance.databaseHostId || !instance.databaseContainerName) {
      throw new AppError("precondition_failed", "This instance's database container is not known to the panel.", {
        hint: "Adopt the instance again from its host.",
      });
    }
    const client = await clientFor(db, ring, instance.databaseHostId);
    const live = await inspectContainer(client, instance.databaseContainerName);
    return {
      client,
      container: instance.databaseContainerName,
      image: live.image,
      external: false,
      connect: () => [],
      close: async () => {},
    };
  }
  if (!instance.databaseAddress) {
    throw new AppError("precondition_failed", "The external database server's address is not known to the panel.", {
      hint: "Edit the instance and give the database address.",
    });
  }
  const client = await clientFor(db, ring, instance.webHostId);
  const web = await inspectContainer(client, instance.webContainerName);
  // On the web container's networks (it may be stopped, during a restore): names resolve as eLabFTW resolves them.
  const networks = Object.keys(web.networks);
  if (!(await imageExists(client, DATABASE_CLIENT_IMAGE))) await pullImage(client, DATABASE_CLIENT_IMAGE);
  const container = `paillasse-dbclient-${randomBytes(4).toString("hex")}`;
  await createContainer(client, {
    name: container,
    Image: DATABASE_CLIENT_IMAGE,
    Entrypoint: ["sleep"],
    Cmd: ["86400"],
    Labels: { "net.paillasse.managed": "true", "net.paillasse.helper": "database-client" },
    HostConfig: {
      NetworkMode: networks.includes("host") ? "host" : (networks[0] ?? "bridge"),
      Mounts: mounts,
      Memory: 512 * 1024 * 1024,
      RestartPolicy: { Name: "no" },
    },
    NetworkingConfig: networks.includes("host")
      ? undefined
      : { EndpointsConfig: Object.fromEntries(networks.map((n) => [n, {}])) },
  });
  try {
    await startContainer(client, container);
  } catch (error) {
    await removeContainer(client, container, { force: true }).catch(() => undefined);
    throw error;
  }
  const address = instance.databaseAddress;
  const port = String(instance.databasePort);
  return {
    client,
    container,
    image: DATABASE_CLIENT_IMAGE,
    external: true,
    connect: (mariadb) => [
      "-h",
      address,
      "-P",
      port,
      ...(instance.databaseTls ? [mariadb ? "--ssl" : "--ssl-mode=REQUIRED"] : []),
    ],
    close: () => removeContainer(client, container, { force: true }).catch(() => undefined),
  };
}
