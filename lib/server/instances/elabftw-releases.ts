import semver from "semver";

/**
 * What each eLabFTW release requires of its database, kept in code so that it
 * can be known without a database (a restore after the database was lost, a
 * plan before an upgrade). Read from the REQUIRED_SCHEMA constant of the
 * elabftw repository at every release tag: each row is a run of releases
 * that require the same schema. A version outside every row is unknown: the
 * callers then ask the image itself (`bin/console db:check`).
 */
const SCHEMA_BY_RELEASES: readonly { range: string; schema: number }[] = [
  { range: ">=5.0.0 <=5.0.4", schema: 144 },
  { range: ">=5.1.0 <=5.1.7", schema: 165 },
  { range: ">=5.1.8 <=5.1.15", schema: 166 },
  { range: ">=5.2.0 <=5.2.4", schema: 176 },
  { range: ">=5.2.5 <=5.2.8", schema: 177 },
  { range: "5.3.0", schema: 185 },
  { range: ">=5.3.1 <=5.3.2", schema: 186 },
  { range: ">=5.3.3 <=5.3.11", schema: 187 },
  { range: "5.4.0", schema: 202 },
  { range: ">=5.4.1 <=5.4.6", schema: 203 },
  { range: ">=5.5.0 <=5.5.14", schema: 206 },
  { range: ">=5.6.0 <=5.6.6", schema: 215 },
  { range: ">=5.6.7 <=5.6.11", schema: 216 },
  { range: "5.6.12", schema: 217 },
  { range: "6.0.0-alpha", schema: 220 },
  { range: ">=6.0.0-alpha2 <=6.0.0-alpha4", schema: 223 },
];

/** The schema a release requires, or null when the release is not in the table. */
export function requiredSchemaFor(version: string | null | undefined): number | null {
  const v = version ? semver.valid(version) : null;
  if (!v) return null;
  const row = SCHEMA_BY_RELEASES.find((r) => semver.satisfies(v, r.range, { includePrerelease: true }));
  return row?.schema ?? null;
}

/**
 * What differs between eLabFTW releases for a panel that drives them: every check and parser
 * reads it here, nothing else hard-codes a version's text. Each entry says what changed from
 * its release on (the traits of a version are the first entry's, overlaid by every later entry
 * up to the version). Adding a release that changes something is one entry here, plus its stand-in.
 * Sources: ELABFTW.md (5.0.4, 5.1.0) and ELABFTW-RELEASES.md (the elabftw repositories' tags).
 */
export interface ReleaseTraits {
  /** How `bin/console db:update` ends when it applied migrations: `All done.` or `Updated to schema N.` */
  updateDone: "all-done" | "updated-to-schema";
  /** HTTP status of the "Almost there!" page served while a schema update is pending (500 from 5.5.14). */
  almostThereStatus: 200 | 500;
  /** The image carries net.elabftw.image-version (besides net.elabftw.elabftw-version). */
  imageVersionLabel: boolean;
  /** MAINTENANCE_MODE=true serves a read-only maintenance page (writes answer 405). */
  maintenanceMode: boolean;
  /** A failed migration runs its down script by itself before the console exits non-zero. */
  rollsBackFailedMigration: boolean;
  /** Where the web container listens and keeps its files, and how it runs. */
  layout: {
    containerPort: 443 | 8080;
    uploads: string;
    exports: string;
    /** A cache directory that must be mounted (6.0), or null. */
    cache: string | null;
    /** "root": the entrypoint starts as root and drops to 101:101; "user": runs as the compose `user:`. */
    runsAs: "root" | "user";
    readOnlyRoot: boolean;
    /** Environment variables the image ignores (and warns about) from this release on. */
    removedEnv: readonly string[];
  };
  /** The MySQL of the reference compose file; eLabFTW's code only requires major version 8. */
  mysql: { minimumMajor: number; referenceImage: string };
}

const LAYOUT_5 = {
  containerPort: 443,
  uploads: "/elabftw/uploads",
  exports: "/elabftw/exports",
  cache: null,
  runsAs: "root",
  readOnlyRoot: false,
  removedEnv: [],
} as const;

/** update-6.md: the 6.0 container's layout. */
const LAYOUT_6 = {
  containerPort: 8080,
  uploads: "/var/lib/elabftw/uploads",
  exports: "/var/lib/elabftw/exports",
  cache: "/var/cache/elabftw",
  runsAs: "user",
  readOnlyRoot: true,
  removedEnv: [
    "ENABLE_IPV6",
    "ELABFTW_USER",
    "ELABFTW_GROUP",
    "ELABFTW_USERID",
    "ELABFTW_GROUPID",
    "INDIGO_URL",
    "SILENT_INIT",
    "USE_INDIGO",
    "USE_FINGERPRINTER",
    "FINGERPRINTER_URL",
    "FINGERPRINTER_USE_PROXY",
  ],
} as const;

export type WebLayout = ReleaseTraits["layout"];

const RELEASE_CHANGES: readonly { since: string; change: Partial<ReleaseTraits> }[] = [
  {
    since: "5.0.0",
    change: {
      updateDone: "all-done",
      almostThereStatus: 200,
      imageVersionLabel: true,
      maintenanceMode: false,
      rollsBackFailedMigration: false,
      layout: LAYOUT_5,
      mysql: { minimumMajor: 8, referenceImage: "mysql:8.0" },
    },
  },
  // The example compose file moves to MySQL 8.4 (I@5.3.0).
  { since: "5.3.0", change: { mysql: { minimumMajor: 8, referenceImage: "mysql:8.4" } } },
  // SchemaVersionChecker: db:update ends with "Updated to schema N." (E@5.5.0).
  { since: "5.5.0", change: { updateDone: "updated-to-schema" } },
  // "add maintenance mode again" (E #6596).
  { since: "5.5.3", change: { maintenanceMode: true } },
  // web/app/init.inc.php answers an init error (the schema check's "Almost there!" page among them)
  // with HTTP 500 instead of die()'s 200: E 5230be2e (#6887), in 5.5.14 and 5.6.0, read at those tags.
  { since: "5.5.14", change: { almostThereStatus: 500 } },
  // net.elabftw.image-version removed (E 99b86d35, #6630).
  { since: "5.6.0", change: { imageVersionLabel: false } },
  // update-6.md: port, volumes, user; execFileWithRollback (E #7264).
  {
    since: "6.0.0-alpha",
    change: {
      rollsBackFailedMigration: true,
      layout: LAYOUT_6,
    },
  },
];

/**
 * The traits of an eLabFTW version, or null when it is not a version (a `latest` tag, nothing
 * known): callers then accept what any supported release would do.
 */
export function releaseTraits(version: string | null | undefined): ReleaseTraits | null {
  const v = version ? semver.valid(version) : null;
  if (!v || semver.lt(v, RELEASE_CHANGES[0]!.since)) return null;
  let traits = {} as ReleaseTraits;
  for (const { since, change } of RELEASE_CHANGES) {
    if (semver.gte(v, since)) traits = { ...traits, ...change };
  }
  return traits;
}

/** The release notes of an eLabFTW version, shown before an upgrade and written in its journal. */
export const releaseNotesUrl = (version: string) => `https://github.com/elabftw/elabftw/releases/tag/${version}`;

/** The eLabFTW version a web container's image declares (net.elabftw.* up to 6.0, OCI labels after), or null. */
export function versionOfWebContainer(labels: Record<string, string>): string | null {
  const v = labels["net.elabftw.elabftw-version"] ?? labels["org.opencontainers.image.version"];
  return v && semver.valid(v) ? v : null;
}

/**
 * How a web container is laid out (port, where its uploads are, who it runs as): from the version its
 * image declares, else from what it shows (a mount at the 6.0 uploads path, port 8080 exposed), else 5.x.
 * Every place that reaches into the container (health, usage, backups, restores) reads its paths here.
 */
export function webLayoutOf(web: {
  labels: Record<string, string>;
  mounts?: readonly { destination: string }[];
  exposedPorts?: readonly string[];
}): WebLayout {
  const known = releaseTraits(versionOfWebContainer(web.labels))?.layout;
  if (known) return known;
  const trimmed = (web.mounts ?? []).map((m) => m.destination.replace(/\/+$/, ""));
  if (trimmed.includes(LAYOUT_6.uploads) || (web.exposedPorts ?? []).includes("8080/tcp")) return LAYOUT_6;
  return LAYOUT_5;
}

/** The mount that holds a web container's uploads, wherever its layout keeps them. */
export function uploadsMountOf<M extends { destination: string }>(web: {
  labels: Record<string, string>;
  mounts: readonly M[];
  exposedPorts?: readonly string[];
}): M | undefined {
  const target = webLayoutOf(web).uploads;
  return web.mounts.find((m) => m.destination.replace(/\/+$/, "") === target);
}
