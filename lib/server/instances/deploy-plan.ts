import { isIP } from "node:net";
import { z } from "zod";
import { dataDir } from "../../env";
import { pathProblem } from "../path-policy";
import { AppError } from "../../errors";
import type { Db } from "../db/client";
import { ELABFTW_REPOSITORY, readTagCache } from "../registry/tag-cache";
import { stableVersions } from "../registry/versions";
import { releaseTraits } from "./elabftw-releases";

/**
 * The releases a new instance can be deployed on: the deployment lays the container out the 5.x way
 * (port 443, /elabftw/uploads); a release with another layout (6.0) is reached by an upgrade, which
 * moves the container and its data.
 */
export function deployableVersions(tags: string[]): string[] {
  return stableVersions(tags).filter((v) => (releaseTraits(v)?.layout.containerPort ?? 443) === 443);
}
import { unitSchema } from "../units/manage-units";
import { instanceName, parseInput } from "../validation";
import { msg } from "../../i18n/message";

/**
 * What the deploy wizard asks, checked against the inventory, and turned into
 * a plan: every name the deployment will create is decided here, before
 * anything is touched, so the journal records exactly what a clean-up must
 * remove. The plan never holds a secret (an external database's password
 * travels beside it and is sealed into the operation).
 */
export { ELABFTW_REPOSITORY };
/** eLabFTW supports MySQL 8.0; the reference compose file uses this image. */
export const MYSQL_IMAGE = "mysql:8.0";
/** The capabilities the reference compose file gives back to the web container after dropping ALL. */
export const WEB_CAPABILITIES = ["CHOWN", "SETGID", "SETUID", "FOWNER", "DAC_OVERRIDE"];

const uuid = () => z.string().uuid({ message: "must be chosen" });
const address = z
  .string()
  .trim()
  .refine((v) => v === "" || isIP(v) !== 0, { message: "must be an IP address of the host, e.g. 10.0.0.5" });

export const deploySchema = z
  .object({
    name: instanceName,
    /** A unit of the inventory, or "new" with unitCode and unitName (created when the deployment is confirmed). */
    unitId: z.union([uuid(), z.literal("new")]),
    unitCode: z.string().default(""),
    unitName: z.string().default(""),
    webHostId: uuid(),
    version: z
      .string()
      .trim()
      .regex(/^\d+\.\d+\.\d+$/, { message: "must be an exact release such as 5.1.0 (no latest, beta or rc)" }),
    siteUrl: z
      .string()
      .trim()
      .url({ message: "must be the address users will type, e.g. https://elab.unit.example" })
      .refine((v) => /^https?:\/\//.test(v) && !/[?#]/.test(v), {
        message: "must be an http(s) address without query or fragment",
      })
      .transform((v) => v.replace(/\/+$/, "")),
    https: z.enum(["container", "proxy"], { message: "must say who terminates HTTPS" }),
    publishAddress: address.default(""),
    publishPort: z.coerce
      .number({ message: "must be a port number" })
      .int({ message: "must be a port number" })
      .min(1, { message: "must be between 1 and 65535" })
      .max(65535, { message: "must be between 1 and 65535" }),
    uploadsKind: z.enum(["volume", "bind"], { message: "must be a volume or a directory" }),
    uploadsSource: z.string().trim().max(4096).default(""),
    databasePlacement: z.enum(["container", "external"], { message: "must be a new container or an external server" }),
    databaseHostId: z.string().trim().default(""),
    databaseBindAddress: address.default(""),
    databaseAddress: z.string().trim().max(253).default(""),
    databasePort: z.coerce.number().int().min(1).max(65535, { message: "must be a port number" }).default(3306),
    databaseName: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_]{1,64}$/, { message: "must be a MySQL database name" })
      .default("elabftw"),
    databaseUser: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, { message: "must be a MySQL user name" })
      .default("elabftw"),
  })
  .superRefine((v, ctx) => {
    if (v.uploadsKind === "bind") {
      const problem = pathProblem(v.uploadsSource, { dataDir: dataDir() });
      if (problem) ctx.addIssue({ code: "custom", path: ["uploadsSource"], message: problem });
    }
    if (v.uploadsKind === "volume" && v.uploadsSource && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(v.uploadsSource)) {
      ctx.addIssue({ code: "custom", path: ["uploadsSource"], message: "must be a Docker volume name" });
    }
    if (v.databasePlacement === "container" && !z.string().uuid().safeParse(v.databaseHostId).success) {
      ctx.addIssue({ code: "custom", path: ["databaseHostId"], message: "must be chosen" });
    }
    if (v.databasePlacement === "external" && !/^[A-Za-z0-9.:-]{1,253}$/.test(v.databaseAddress)) {
      ctx.addIssue({ code: "custom", path: ["databaseAddress"], message: "must be a host name or IP address" });
    }
  });

export type DeployInput = z.infer<typeof deploySchema>;

const LABELS: Record<string, string> = {
  name: "Name",
  unitId: "Unit",
  webHostId: "Web host",
  version: "Version",
  siteUrl: "Site URL",
  https: "HTTPS",
  publishAddress: "Published address",
  publishPort: "Published port",
  uploadsKind: "Uploads",
  uploadsSource: "Uploads location",
  databasePlacement: "Database",
  databaseHostId: "Database host",
  databaseBindAddress: "Database address on its host",
  databaseAddress: "Database server",
  databasePort: "Database port",
  databaseName: "Database name",
  databaseUser: "Database user",
};

/** The params of a deploy operation (version 1): every name decided, never a secret. */
export const deployPlanSchema = z.object({
  name: z.string().min(1),
  /** Empty until a new unit is created (newUnit), when the deployment is confirmed. */
  unitId: z.string(),
  unitCode: z.string(),
  newUnit: z.object({ code: z.string(), name: z.string() }).nullable(),
  webHostId: z.string().min(1),
  webHostName: z.string(),
  repository: z.string().min(1),
  version: z.string().min(1),
  image: z.string().min(1),
  siteUrl: z.string(),
  serverName: z.string(),
  /** true: the container serves HTTPS itself (self-signed); false: a TLS proxy in front, plain HTTP on 443. */
  https: z.boolean(),
  publish: z.object({ address: z.string(), port: z.number().int() }),
  uploads: z.object({ kind: z.enum(["volume", "bind"]), source: z.string(), created: z.boolean() }),
  webContainer: z.string().min(1),
  network: z.string().min(1),
  database: z.discriminatedUnion("placement", [
    z.object({
      placement: z.literal("container"),
      hostId: z.string().min(1),
      hostName: z.string(),
      sameHost: z.boolean(),
      container: z.string().min(1),
      volume: z.string().min(1),
      /** Where the web container reaches it: the network alias, or the database host's address. */
      address: z.string(),
      port: z.number().int(),
      name: z.string(),
      user: z.string(),
    }),
    z.object({
      placement: z.literal("external"),
      address: z.string(),
      port: z.number().int(),
      name: z.string(),
      user: z.string(),
    }),
  ]),
  timeZone: z.string(),
});
export type DeployPlan = z.infer<typeof deployPlanSchema>;

export const PANEL_TIME_ZONE = "Europe/Paris";

/** Validate the wizard's answers against the inventory and decide every name. Changes nothing. */
export async function planDeploy(db: Db, raw: unknown): Promise<DeployPlan> {
  const input = parseInput(deploySchema, raw, LABELS, "Correct it; nothing was deployed.");
  const hostIds = [input.webHostId, ...(input.databasePlacement === "container" ? [input.databaseHostId] : [])];
  let newUnit: DeployPlan["newUnit"] = null;
  if (input.unitId === "new") {
    newUnit = parseInput(
      unitSchema.pick({ code: true, name: true }),
      { code: input.unitCode, name: input.unitName },
      { code: "Unit code", name: "Unit name" },
      "Correct it; nothing was deployed.",
    );
    if (await db.unit.findUnique({ where: { code: newUnit.code }, select: { id: true } })) {
      throw new AppError("conflict", msg`Unit ${newUnit.code} already exists.`, {
        hint: "Pick it from the list instead.",
      });
    }
  }
  const [unit, hosts, taken, tags] = await Promise.all([
    newUnit
      ? { id: "", code: newUnit.code }
      : db.unit.findUnique({ where: { id: input.unitId }, select: { id: true, code: true } }),
    db.dockerHost.findMany({ where: { id: { in: hostIds } }, select: { id: true, name: true } }),
    db.instance.findUnique({ where: { name: input.name }, select: { id: true } }),
    readTagCache(db),
  ]);
  if (!unit)
    throw new AppError("bad_input", "This unit no longer exists.", { hint: "Reload the page and pick a unit." });
  const webHost = hosts.find((h) => h.id === input.webHostId);
  if (!webHost)
    throw new AppError("bad_input", "The web host is no longer in the panel.", { hint: "Reload the page." });
  if (taken) {
    throw new AppError("conflict", msg`An instance named “${input.name}” is already in the inventory.`, {
      hint: "Choose another name; nothing was deployed.",
    });
  }
  const known = tags[ELABFTW_REPOSITORY];
  if (!known?.tags) {
    throw new AppError("unavailable", "The panel has no list of eLabFTW versions from the registry yet.", {
      hint: known?.error
        ? msg`The last attempt failed: ${known.error}`
        : "Use “Check the registry again” on this page, then choose a version.",
    });
  }
  if (stableVersions(known.tags).includes(input.version) && !deployableVersions(known.tags).includes(input.version)) {
    throw new AppError(
      "bad_input",
      msg`A new instance of eLabFTW ${input.version} (the 6.0 container layout) cannot be deployed yet.`,
      {
        hint: "Deploy the newest 5.x release, then upgrade it from its page; nothing was deployed.",
      },
    );
  }
  if (!stableVersions(known.tags).includes(input.version)) {
    throw new AppError("bad_input", msg`Version ${input.version} is not a release the registry offers.`, {
      hint: "Choose one of the listed versions; nothing was deployed.",
    });
  }
  const server = new URL(input.siteUrl);
  const webContainer = `${input.name}-web`;
  let database: DeployPlan["database"];
  if (input.databasePlacement === "container") {
    const dbHost = hosts.find((h) => h.id === input.databaseHostId);
    if (!dbHost) {
      throw new AppError("bad_input", "The database host is no longer in the panel.", { hint: "Reload the page." });
    }
    const sameHost = dbHost.id === webHost.id;
    if (!sameHost && (!input.databaseBindAddress || ["0.0.0.0", "::"].includes(input.databaseBindAddress))) {
      throw new AppError(
        "bad_input",
        "Database address on its host must be one IP address of the database host that the web host can reach.",
        {
          hint: "The database port is published on that address only, never on all interfaces; nothing was deployed.",
        },
      );
    }
    database = {
      placement: "container",
      hostId: dbHost.id,
      hostName: dbHost.name,
      sameHost,
      container: `${input.name}-mysql`,
      volume: `${input.name}-mysql-data`,
      address: sameHost ? "mysql" : input.databaseBindAddress,
      port: sameHost ? 3306 : input.databasePort,
      name: "elabftw",
      user: "elabftw",
    };
  } else {
    database = {
      placement: "external",
      address: input.databaseAddress,
      port: input.databasePort,
      name: input.databaseName,
      user: input.databaseUser,
    };
  }
  return {
    name: input.name,
    unitId: unit.id,
    unitCode: unit.code,
    newUnit,
    webHostId: webHost.id,
    webHostName: webHost.name,
    repository: ELABFTW_REPOSITORY,
    version: input.version,
    image: `${ELABFTW_REPOSITORY}:${input.version}`,
    siteUrl: input.siteUrl,
    serverName: server.hostname,
    https: input.https === "container",
    publish: { address: input.publishAddress === "::" ? "" : input.publishAddress, port: input.publishPort },
    uploads:
      input.uploadsKind === "bind"
        ? { kind: "bind", source: input.uploadsSource, created: false }
        : { kind: "volume", source: input.uploadsSource || `${input.name}-uploads`, created: true },
    webContainer,
    network: `${input.name}-net`,
    database,
    timeZone: PANEL_TIME_ZONE,
  };
}
