import { instanceSecretsContext } from "./instance-secrets";
import type { Actor, RequestContext } from "../../kernel";
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { z } from "zod";
import { seal, type KeyRing } from "../../crypto";
import {
  connect,
  DockerError,
  elabftwVersionOf,
  inspectContainer,
  listContainers,
  type ContainerDetails,
  type ContainerSummary,
} from "../../docker";
import { AppError } from "../../errors";
import { requestedBy, withAuditEvent, type AuditInput } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { CONNECTION_FIELDS, hostConnection } from "../hosts/host-connection";
import { readHostSnapshot } from "../hosts/snapshot";
import { instanceName, parseInput } from "../validation";
import { isElabftwImage, proposeInstance, type HostView, type InstanceProposal } from "./discovery";
import { msg } from "../../i18n/message";

/**
 * Discovery and adoption, the reading and writing part. Discovery inspects
 * the host's containers live; other managed hosts are looked at through their
 * stored snapshots (a database on another host is found by its published
 * port). Secrets read from container configurations stay on the server: a
 * proposal only says which ones were found, and adoption reads them again.
 */
interface InstanceSecrets {
  dbPassword?: string;
  secretKey?: string;
  mysqlRootPassword?: string;
}

async function discover(
  db: Db,
  ring: KeyRing,
  hostId: string,
): Promise<{ proposals: InstanceProposal[]; secrets: Map<string, InstanceSecrets> }> {
  const row = await db.dockerHost.findUnique({ where: { id: hostId }, select: CONNECTION_FIELDS });
  if (!row) throw new AppError("not_found", "This host does not exist.", { hint: "Reload the Hosts page." });
  const client = await connect(hostConnection(row, ring), { timeoutMs: 15_000 });
  const containers = (await listContainers(client, { all: true })).filter(
    (c) => c.labels["net.paillasse.helper"] === undefined,
  );
  const limit = pLimit(8);
  // A container removed between the list and its inspection (another operator, a compose down) is
  // simply no longer there: skipped, not a failure of the whole discovery.
  const inspected = await Promise.all(
    containers.map((c) =>
      limit(() =>
        inspectContainer(client, c.id).catch((error: unknown) => {
          if (error instanceof DockerError && error.failure === "not_found") return null;
          throw error;
        }),
      ),
    ),
  );
  const details = inspected.filter((d): d is ContainerDetails => d !== null);
  // Adopted from this host entry, or (by container ID) from any other.
  const adopted = await db.instance.findMany({
    where: { OR: [{ webHostId: hostId }, { webContainerId: { in: details.map((d) => d.id) } }] },
    select: { webHostId: true, webContainerName: true, webContainerId: true },
  });
  const isAdopted = (d: ContainerDetails) =>
    adopted.some((i) => i.webContainerId === d.id || (i.webHostId === hostId && i.webContainerName === d.name));

  const others = await db.dockerHost.findMany({
    where: { id: { not: hostId } },
    select: { id: true, name: true, address: true, snapshot: true },
  });
  const otherHosts: HostView[] = others.map((h) => ({
    id: h.id,
    name: h.name,
    address: h.address,
    containers: (readHostSnapshot(h.snapshot)?.containers ?? []).map((c): ContainerSummary => ({
      id: c.id,
      name: c.name,
      image: c.image,
      imageId: "",
      state: c.state,
      status: c.status,
      labels: c.labels,
      createdAt: new Date(c.createdAt),
      ports: c.ports ?? [],
    })),
  }));
  const here: HostView = { id: row.id, name: row.name, address: row.address, containers };

  const proposals: InstanceProposal[] = [];
  const secrets = new Map<string, InstanceSecrets>();
  for (const web of details) {
    if (!isElabftwImage(web.image, web.labels) || isAdopted(web)) continue;
    const proposal = proposeInstance(web, elabftwVersionOf(web.labels), here, details, otherHosts);
    proposals.push(proposal);
    const dbContainer =
      proposal.database.placement === "container" && proposal.database.hostId === hostId
        ? details.find((d) => d.name === (proposal.database as { containerName: string }).containerName)
        : undefined;
    secrets.set(web.id, {
      dbPassword: web.env.DB_PASSWORD || undefined,
      secretKey: web.env.SECRET_KEY || undefined,
      mysqlRootPassword: dbContainer?.env.MYSQL_ROOT_PASSWORD || undefined,
    });
  }
  proposals.sort((a, b) => a.container.name.localeCompare(b.container.name));
  return { proposals, secrets };
}

/** The eLabFTW instances running on a host that the inventory does not know yet. */
export async function discoverOnHost(db: Db, ring: KeyRing, hostId: string): Promise<InstanceProposal[]> {
  return (await discover(db, ring, hostId)).proposals;
}

export const adoptSchema = z.object({
  hostId: z.string().uuid({ message: "is not a host of the panel" }),
  containerId: z.string().regex(/^[a-f0-9]{64}$/, { message: "is not a container id" }),
  unitId: z.string().uuid({ message: "must be chosen" }),
  name: instanceName,
});

/** Adopt one discovered instance into the inventory, under a unit. */
export async function adoptInstance(
  db: Db,
  ring: KeyRing,
  actor: Actor,
  raw: unknown,
  context: RequestContext,
): Promise<string> {
  const input = parseInput(
    adoptSchema,
    raw,
    { hostId: "Host", containerId: "Container", unitId: "Unit", name: "Name" },
    "Correct it; nothing was adopted.",
  );
  if (!(await db.unit.findUnique({ where: { id: input.unitId }, select: { id: true } }))) {
    throw new AppError("bad_input", "This unit no longer exists.", { hint: "Reload the page and pick a unit." });
  }
  if (await db.instance.findUnique({ where: { name: input.name }, select: { id: true } })) {
    throw new AppError("conflict", msg`An instance named “${input.name}” is already in the inventory.`, {
      hint: "Choose another name.",
    });
  }
  return registerDiscovered(db, ring, input, (proposal, db_) => ({
    ...requestedBy(actor, context),
    action: "instance.adopt",
    params: {
      name: input.name,
      container: proposal.container.name,
      image: proposal.container.image,
      database: db_,
    },
  }));
}

/**
 * Put one discovered web container (and what it runs with) into the inventory under `unitId`: by
 * adoption, or at the end of a recovery onto a new host. Its secrets are read from the live
 * configuration again, sealed, and never returned.
 */
export async function registerDiscovered(
  db: Db,
  ring: KeyRing,
  input: { hostId: string; containerId: string; unitId: string; name: string },
  audit: (
    proposal: InstanceProposal,
    database: string,
  ) => Pick<AuditInput, "actor" | "ip" | "userAgent" | "action"> & { params: Record<string, unknown> },
): Promise<string> {
  const { proposals, secrets } = await discover(db, ring, input.hostId);
  const proposal = proposals.find((p) => p.container.id === input.containerId);
  if (!proposal) {
    throw new AppError("not_found", "That container is no longer an unadopted eLabFTW instance on this host.", {
      hint: "Run the discovery again: it may have been removed, recreated or adopted meanwhile.",
    });
  }
  const twin = await db.instance.findUnique({
    where: { webContainerId: proposal.container.id },
    select: { name: true },
  });
  if (twin) {
    throw new AppError("conflict", msg`This container is already in the inventory as “${twin.name}”.`, {
      hint: "Open that instance; a container is adopted once. Nothing was adopted.",
    });
  }
  const id = randomUUID();
  const found = secrets.get(proposal.container.id) ?? {};
  const db_ = proposal.database;
  await withAuditEvent(
    db,
    (tx) =>
      tx.instance.create({
        data: {
          id,
          name: input.name,
          unitId: input.unitId,
          webHostId: input.hostId,
          webContainerName: proposal.container.name,
          webContainerId: proposal.container.id,
          databasePlacement: db_.placement,
          databaseHostId: db_.placement === "container" ? db_.hostId : null,
          databaseContainerName: db_.placement === "container" ? db_.containerName : null,
          databaseAddress: db_.placement === "external" ? db_.address : null,
          databasePort: proposal.databasePort,
          databaseName: proposal.databaseName,
          databaseUser: proposal.databaseUser,
          databaseTls: proposal.databaseTls,
          imageRepository: proposal.imageRepository,
          imageTag: proposal.imageTag,
          elabftwVersion: proposal.elabftwVersion,
          siteUrl: proposal.siteUrl ?? "",
          uploadsKind: proposal.uploads?.kind ?? "volume",
          uploadsSource: proposal.uploads?.source ?? "",
          composeProject: proposal.compose?.project ?? null,
          composeService: proposal.compose?.service ?? null,
          composeWorkingDir: proposal.compose?.workingDir ?? null,
          composeConfigFiles: proposal.compose?.configFiles ?? null,
          secretsEnc: Object.keys(found).length ? seal(ring, JSON.stringify(found), instanceSecretsContext(id)) : null,
          state: proposal.container.state === "running" ? "running" : "stopped",
        },
      }),
    () => {
      const given = audit(
        proposal,
        db_.placement === "container" ? `${db_.hostName}/${db_.containerName}` : `${db_.address}:${db_.port}`,
      );
      return {
        ...given,
        outcome: "success",
        target: { type: "instance", id },
        instanceId: id,
        unitId: input.unitId,
        // Which values were kept (names only, under a name the redactor leaves alone).
        params: { ...given.params, kept: Object.keys(found) },
      };
    },
  );
  return id;
}
