import { isIP } from "node:net";
import type { ContainerDetails, ContainerSummary } from "../../docker";
import { uploadsMountOf } from "./elabftw-releases";

/**
 * Discovery, the pure part: from what the engines say about containers, find
 * the eLabFTW web containers and propose how each instance is laid out (its
 * database, uploads, compose project, site URL, version). No I/O here, so
 * every rule is unit-tested; discover-instances.ts does the reading.
 */

/** Any registry prefix, any tag or digest: registry.example/elabftw/elabimg:5.0.4, elabftw/elabimg@sha256:… */
const ELABIMG = /^(?:[^/]+\/)*elabftw\/elabimg(?::[\w][\w.-]*)?(?:@sha256:[a-f0-9]{64})?$/;

export function isElabftwImage(ref: string, labels: Record<string, string> = {}): boolean {
  return ELABIMG.test(ref) || "net.elabftw.elabftw-version" in labels;
}

/** "registry:5000/elabftw/elabimg:5.0.4" → repository "registry:5000/elabftw/elabimg", tag "5.0.4". */
export function splitImageRef(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf("@");
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const slash = base.lastIndexOf("/");
  const colon = base.lastIndexOf(":");
  if (colon > slash) return { repository: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repository: base, tag: "latest" };
}

const DB_IMAGE = /(^|\/)(mysql|mariadb|percona)(:|@|$)/;

export type DatabaseProposal =
  | {
      placement: "container";
      hostId: string;
      hostName: string;
      containerName: string;
      /** How it was found, said to the operator. */
      foundBy: string;
    }
  | { placement: "external"; address: string; port: number; foundBy: string };

export interface InstanceProposal {
  hostId: string;
  container: { id: string; name: string; image: string; state: string; startedAt: string | null };
  suggestedName: string;
  imageRepository: string;
  imageTag: string;
  elabftwVersion: string | null;
  siteUrl: string | null;
  uploads: { kind: "bind" | "volume"; source: string } | null;
  compose: { project: string; service: string | null; workingDir: string | null; configFiles: string | null } | null;
  database: DatabaseProposal;
  databaseName: string;
  databaseUser: string;
  databasePort: number;
  databaseTls: boolean;
  /** Which secrets the container configuration holds (their values never leave the server). */
  secretsFound: { dbPassword: boolean; secretKey: boolean; mysqlRootPassword: boolean };
  warnings: string[];
}

export interface HostView {
  id: string;
  name: string;
  address: string;
  containers: ContainerSummary[];
}

/** Instance names: lower case letters, digits and dashes, as in the inventory. */
export function suggestName(compose: string | undefined, container: string): string {
  const base = (compose && compose !== "elabftw" ? compose : container)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  return base || "elabftw";
}

/**
 * Find the database of a web container. DB_HOST names it: a container of the
 * same host (by name, by network alias on a network they share, or as a
 * service of the same compose project); else, when DB_HOST is the address of
 * another managed host, a MySQL container publishing DB_PORT there; else an
 * external server.
 */
export function proposeDatabase(
  web: ContainerDetails,
  here: HostView,
  sameHostDetails: ContainerDetails[],
  otherHosts: HostView[],
): DatabaseProposal {
  const dbHost = web.env.DB_HOST || "localhost";
  const dbPort = Number(web.env.DB_PORT || 3306);
  const webNetworks = new Set(Object.keys(web.networks));
  const project = web.labels["com.docker.compose.project"];

  const byName = sameHostDetails.find((c) => c.name === dbHost);
  if (byName) {
    return {
      placement: "container",
      hostId: here.id,
      hostName: here.name,
      containerName: byName.name,
      foundBy: `container named ${dbHost} on ${here.name}`,
    };
  }
  const byAlias = sameHostDetails.find((c) =>
    Object.entries(c.networks).some(([net, n]) => webNetworks.has(net) && n.aliases.includes(dbHost)),
  );
  if (byAlias) {
    return {
      placement: "container",
      hostId: here.id,
      hostName: here.name,
      containerName: byAlias.name,
      foundBy: `network alias ${dbHost} on a network shared with the web container`,
    };
  }
  const byService =
    project &&
    sameHostDetails.find(
      (c) => c.labels["com.docker.compose.project"] === project && c.labels["com.docker.compose.service"] === dbHost,
    );
  if (byService) {
    return {
      placement: "container",
      hostId: here.id,
      hostName: here.name,
      containerName: byService.name,
      foundBy: `service ${dbHost} of compose project ${project}`,
    };
  }
  const other = otherHosts.find((h) => h.address.toLowerCase() === dbHost.toLowerCase());
  if (other) {
    const published = other.containers.find(
      (c) => DB_IMAGE.test(c.image) && c.ports.some((p) => p.publicPort === dbPort),
    );
    if (published) {
      return {
        placement: "container",
        hostId: other.id,
        hostName: other.name,
        containerName: published.name,
        foundBy: `port ${dbPort} published on managed host ${other.name}`,
      };
    }
  }
  return {
    placement: "external",
    address: dbHost,
    port: dbPort,
    foundBy:
      isIP(dbHost) || dbHost.includes(".")
        ? `DB_HOST=${dbHost}, not a managed container`
        : `DB_HOST=${dbHost} matched no container`,
  };
}

export function proposeInstance(
  web: ContainerDetails,
  imageVersion: string | null,
  here: HostView,
  sameHostDetails: ContainerDetails[],
  otherHosts: HostView[],
): InstanceProposal {
  const warnings: string[] = [];
  const { repository, tag } = splitImageRef(web.image);
  const uploadsMount = uploadsMountOf(web);
  if (!uploadsMount)
    warnings.push(
      "No volume or directory is mounted at /elabftw/uploads: uploads live inside the container and would be lost with it.",
    );
  const project = web.labels["com.docker.compose.project"];
  const database = proposeDatabase(web, here, sameHostDetails, otherHosts);
  const dbContainer =
    database.placement === "container" && database.hostId === here.id
      ? sameHostDetails.find((c) => c.name === database.containerName)
      : undefined;
  if (!web.env.SITE_URL) warnings.push("SITE_URL is not set (mandatory since eLabFTW 4.3).");
  if (!web.env.DB_PASSWORD) warnings.push("DB_PASSWORD is not set in the container: backups will need it.");
  if (!web.env.SECRET_KEY) warnings.push("SECRET_KEY is not set in the container.");
  if (tag === "latest") warnings.push("The image is not pinned to a version (latest).");
  return {
    hostId: here.id,
    container: {
      id: web.id,
      name: web.name,
      image: web.image,
      state: web.state.status,
      startedAt: web.state.startedAt?.toISOString() ?? null,
    },
    suggestedName: suggestName(project, web.name),
    imageRepository: repository,
    imageTag: tag,
    elabftwVersion: imageVersion,
    siteUrl: web.env.SITE_URL || null,
    uploads: uploadsMount
      ? { kind: uploadsMount.type === "volume" ? "volume" : "bind", source: uploadsMount.source }
      : null,
    compose: project
      ? {
          project,
          service: web.labels["com.docker.compose.service"] ?? null,
          workingDir: web.labels["com.docker.compose.project.working_dir"] ?? null,
          configFiles: web.labels["com.docker.compose.project.config_files"] ?? null,
        }
      : null,
    database,
    databaseName: web.env.DB_NAME || "elabftw",
    databaseUser: web.env.DB_USER || "elabftw",
    databasePort: Number(web.env.DB_PORT || 3306),
    databaseTls: !!web.env.DB_CERT_PATH,
    secretsFound: {
      dbPassword: !!web.env.DB_PASSWORD,
      secretKey: !!web.env.SECRET_KEY,
      mysqlRootPassword: !!dbContainer?.env.MYSQL_ROOT_PASSWORD,
    },
    warnings,
  };
}
