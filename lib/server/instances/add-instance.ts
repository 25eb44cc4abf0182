import type { Actor, RequestContext } from "../../kernel";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { dataDir } from "../../env";
import { pathProblem } from "../path-policy";
import { seal, type KeyRing } from "../../crypto";
import { elabftwVersionOf, inspectContainer, toDockerError } from "../../docker";
import { AppError } from "../../errors";
import { requestedBy, withAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { clientFor } from "../hosts/clients";
import { instanceName, parseInput } from "../validation";
import { instanceSecretsContext } from "./instance-secrets";
import { splitImageRef } from "./discovery";
import { msg } from "../../i18n/message";

/**
 * Adding an instance by hand, for layouts discovery cannot read. The web
 * container must exist on the chosen host (checked before anything is
 * stored); its image and version are read from it, not typed.
 */
const containerName = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, { message: "must be a Docker container name" });

export const manualInstanceSchema = z
  .object({
    name: instanceName,
    unitId: z.string().uuid({ message: "must be chosen" }),
    webHostId: z.string().uuid({ message: "must be chosen" }),
    webContainerName: containerName,
    siteUrl: z.string().trim().url({ message: "must be the address users type, e.g. https://elab.unit.example" }),
    databasePlacement: z.enum(["container", "external"], { message: "must be a container or an external server" }),
    databaseHostId: z.string().uuid().optional().or(z.literal("")),
    databaseContainerName: containerName.optional().or(z.literal("")),
    databaseAddress: z.string().trim().max(253).optional(),
    databasePort: z.coerce.number().int().min(1).max(65535, { message: "must be a port number" }).default(3306),
    databaseName: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_]{1,64}$/, { message: "must be a MySQL database name" }),
    databaseUser: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, { message: "must be a MySQL user name" }),
    uploadsKind: z.enum(["bind", "volume"], { message: "must be a directory or a volume" }),
    uploadsSource: z.string().trim().min(1, { message: "must not be empty" }).max(4096),
    dbPassword: z.string().max(1024).optional(),
    secretKey: z.string().max(1024).optional(),
    mysqlRootPassword: z.string().max(1024).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.databasePlacement === "container" && (!v.databaseHostId || !v.databaseContainerName)) {
      ctx.addIssue({
        code: "custom",
        path: ["databaseContainerName"],
        message: "and its host are needed for a database container",
      });
    }
    if (v.databasePlacement === "external" && !v.databaseAddress) {
      ctx.addIssue({ code: "custom", path: ["databaseAddress"], message: "is needed for an external database server" });
    }
    if (v.uploadsKind === "bind") {
      const problem = pathProblem(v.uploadsSource, { dataDir: dataDir() });
      if (problem) ctx.addIssue({ code: "custom", path: ["uploadsSource"], message: problem });
    }
  });

const LABEL: Record<string, string> = {
  name: "Name",
  unitId: "Unit",
  webHostId: "Web host",
  webContainerName: "Web container",
  siteUrl: "Site URL",
  databasePlacement: "Database",
  databaseHostId: "Database host",
  databaseContainerName: "Database container",
  databaseAddress: "Database address",
  databasePort: "Database port",
  databaseName: "Database name",
  databaseUser: "Database user",
  uploadsKind: "Uploads",
  uploadsSource: "Uploads location",
};

export async function addInstanceByHand(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  raw: unknown,
  context: RequestContext,
): Promise<string> {
  const input = parseInput(manualInstanceSchema, raw, LABEL, "Correct it; nothing was added.");
  const [unit, host, taken] = await Promise.all([
    db.unit.findUnique({ where: { id: input.unitId }, select: { id: true } }),
    db.dockerHost.findUnique({ where: { id: input.webHostId }, select: { name: true } }),
    db.instance.findFirst({
      where: { OR: [{ name: input.name }, { webHostId: input.webHostId, webContainerName: input.webContainerName }] },
      select: { name: true },
    }),
  ]);
  if (!unit) throw new AppError("bad_input", "This unit no longer exists.", { hint: "Reload the page." });
  if (!host) throw new AppError("bad_input", "This host is no longer in the panel.", { hint: "Reload the page." });
  if (taken) {
    throw new AppError(
      "conflict",
      msg`The inventory already has ${taken.name === input.name ? `an instance named “${input.name}”` : "this web container"}.`,
      {
        hint: "Choose another name, or open the existing instance.",
      },
    );
  }
  // The web container must exist: its image and version are read from it.
  let web;
  try {
    web = await inspectContainer(await clientFor(db, ring, input.webHostId), input.webContainerName);
  } catch (error) {
    const e = toDockerError(error, host.name, `Looking for ${input.webContainerName}`);
    throw new AppError(
      e.failure === "not_found" ? "bad_input" : "unavailable",
      e.failure === "not_found"
        ? msg`There is no container named ${input.webContainerName} on ${host.name}.`
        : e.message,
      {
        hint:
          e.failure === "not_found" ? "Check the name with `docker ps -a` on that host; nothing was added." : e.hint,
      },
    );
  }
  const twin = await db.instance.findUnique({ where: { webContainerId: web.id }, select: { name: true } });
  if (twin) {
    throw new AppError("conflict", msg`This container is already in the inventory as “${twin.name}”.`, {
      hint: "Open that instance; a container is added once, whichever host entry reaches it. Nothing was added.",
    });
  }
  const { repository, tag } = splitImageRef(web.image);
  const id = randomUUID();
  const secrets = Object.fromEntries(
    Object.entries({
      dbPassword: input.dbPassword,
      secretKey: input.secretKey,
      mysqlRootPassword: input.mysqlRootPassword,
    }).filter(([, v]) => v),
  );
  await withAuditEvent(
    db,
    (tx) =>
      tx.instance.create({
        data: {
          id,
          name: input.name,
          unitId: input.unitId,
          webHostId: input.webHostId,
          webContainerName: web.name,
          webContainerId: web.id,
          databasePlacement: input.databasePlacement,
          databaseHostId: input.databasePlacement === "container" ? input.databaseHostId || null : null,
          databaseContainerName: input.databasePlacement === "container" ? input.databaseContainerName || null : null,
          databaseAddress: input.databasePlacement === "external" ? input.databaseAddress : null,
          databasePort: input.databasePort,
          databaseName: input.databaseName,
          databaseUser: input.databaseUser,
          databaseTls: !!web.env.DB_CERT_PATH,
          imageRepository: repository,
          imageTag: tag,
          elabftwVersion: elabftwVersionOf(web.labels),
          siteUrl: input.siteUrl,
          uploadsKind: input.uploadsKind,
          uploadsSource: input.uploadsSource,
          secretsEnc: Object.keys(secrets).length
            ? seal(ring, JSON.stringify(secrets), instanceSecretsContext(id))
            : null,
          state: web.state.running ? "running" : "stopped",
        },
      }),
    () => ({
      ...requestedBy(actor, context),
      action: "instance.add",
      outcome: "success",
      target: { type: "instance", id },
      instanceId: id,
      unitId: input.unitId,
      params: { name: input.name, container: web.name, host: host.name, kept: Object.keys(secrets) },
    }),
  );
  return id;
}
