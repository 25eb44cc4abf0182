import type { ContainerCreateBody } from "../../docker";
import { z } from "zod";
import { AppError } from "../../errors";
import { msg } from "../../i18n/message";

/*
 * instance.json, as a restore point's snapshot holds it (written by the backup's snapshot step):
 * the web and database containers as they ran, and what the inventory knew. Read back to re-create
 * the instance on another host. It holds SECRET_KEY and the passwords: it stays in memory, never in
 * an operation's params, results or logs.
 */
const container = z.object({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/),
  image: z.string().min(1),
  createSpec: z.record(z.string(), z.unknown()),
  networks: z.record(z.string(), z.object({ aliases: z.array(z.string()).default([]) }).passthrough()).default({}),
});

export const instanceDefinitionSchema = z.object({
  format: z.literal("paillasse-instance/1"),
  instance: z.object({
    id: z.string(),
    name: z.string(),
    unit: z.string(),
    siteUrl: z.string().nullable().optional(),
    elabftwVersion: z.string().nullable().optional(),
    image: z.string(),
    database: z.object({
      placement: z.enum(["container", "external"]),
      name: z.string().regex(/^[A-Za-z0-9_]{1,64}$/),
      user: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/),
    }),
  }),
  web: container,
  database: container.nullable(),
  compose: z
    .object({
      service: z.string().nullable().optional(),
      workingDir: z.string().nullable().optional(),
      // The files' text as the backup read it (null: it could not read them, or one of them).
      files: z
        .array(z.object({ path: z.string().regex(/^\//), text: z.string().nullable() }).passthrough())
        .nullable()
        .optional(),
    })
    .passthrough()
    .nullable(),
});
export type InstanceDefinition = z.infer<typeof instanceDefinitionSchema>;
export type ContainerDefinition = InstanceDefinition["web"];

/** instance.json parsed and checked; a file that is not one says so (nothing is created). */
export function parseInstanceDefinition(text: string, snapshot: string): InstanceDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = null;
  }
  const parsed = instanceDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      "precondition_failed",
      msg`Snapshot ${snapshot.slice(0, 8)} does not hold a readable instance.json (it was not written by Paillasse's backup, or by a newer one).`,
      { hint: "Pick a restore point taken by this panel's backups; nothing was created." },
    );
  }
  if (parsed.data.instance.database.placement !== "container" || !parsed.data.database) {
    throw new AppError(
      "precondition_failed",
      msg`${parsed.data.instance.name} used an external database server: the panel re-creates only instances whose database ran in a container.`,
      {
        hint: "Restore it by hand with the recovery kit's commands (load database.sql into the database server), then add the instance. Nothing was created.",
      },
    );
  }
  return parsed.data;
}

const COMPOSE_LABEL = /^com\.docker\.compose\./;

export interface Adjustments {
  /** SITE_URL of the web container (the address users type). */
  siteUrl?: string;
  /** The host port that publishes the web container's HTTPS port. */
  publishedPort?: number;
}

/**
 * The create body that re-creates one container on a new host: its configuration as recorded, on
 * its first network only (the others are joined after creation, as older engines require), with the
 * operator's adjustments for the web container, and with compose's labels only when the compose
 * files were put back on the new host as they must be (`keepCompose`): else the panel alone manages it.
 */
export function recreateBody(
  def: ContainerDefinition,
  adjust: Adjustments = {},
  options: { keepCompose?: boolean } = {},
): ContainerCreateBody {
  const spec = structuredClone(def.createSpec) as ContainerCreateBody;
  spec.name = def.name;
  spec.Image = def.image;
  if (!options.keepCompose) {
    spec.Labels = Object.fromEntries(Object.entries(spec.Labels ?? {}).filter(([k]) => !COMPOSE_LABEL.test(k)));
  }
  if (adjust.siteUrl) {
    spec.Env = [...(spec.Env ?? []).filter((e) => !e.startsWith("SITE_URL=")), `SITE_URL=${adjust.siteUrl}`];
  }
  const host = (spec.HostConfig ?? {}) as NonNullable<ContainerCreateBody["HostConfig"]>;
  if (adjust.publishedPort && host.PortBindings) {
    const bindings = host.PortBindings as Record<string, { HostIp?: string; HostPort?: string }[]>;
    host.PortBindings = Object.fromEntries(
      Object.entries(bindings).map(([port, list]) => [
        port,
        (list ?? []).map((b) => ({ ...b, HostPort: String(adjust.publishedPort) })),
      ]),
    );
  }
  const networks = networkNames(def);
  const first = networks[0];
  if (first) {
    host.NetworkMode = first;
    spec.NetworkingConfig = { EndpointsConfig: { [first]: { Aliases: def.networks[first]?.aliases ?? [] } } };
  } else {
    delete spec.NetworkingConfig;
  }
  spec.HostConfig = host;
  return spec;
}

/** The user-defined networks a container was on (bridge, host and none are the engine's own). */
export function networkNames(def: ContainerDefinition): string[] {
  return Object.keys(def.networks).filter((n) => !["bridge", "host", "none", "default"].includes(n));
}

/** The named volumes a container mounts (created on the new host by the container's creation). */
export function volumeNames(def: ContainerDefinition): string[] {
  const host = (def.createSpec.HostConfig ?? {}) as NonNullable<ContainerCreateBody["HostConfig"]>;
  const names = new Set<string>();
  for (const b of host.Binds ?? []) {
    const source = b.split(":")[0] ?? "";
    if (source && !source.startsWith("/")) names.add(source);
  }
  for (const m of host.Mounts ?? []) if (m.Type === "volume" && m.Source) names.add(m.Source);
  return [...names];
}
