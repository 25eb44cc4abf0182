import { structuredPatch } from "diff";
import semver from "semver";
import { asMessage, msg, type Message } from "../../i18n/message";
import { releaseNotesUrl, releaseTraits, requiredSchemaFor, type WebLayout } from "../instances/elabftw-releases";
import { stableVersions } from "../registry/versions";

/** What an operator sees of an upgrade before the key touch: every release crossed, the schema move, and what stops it. */
export interface UpgradePreview {
  to: string;
  /** The stable releases the registry offers between the running version (excluded) and the target (included), oldest first. */
  crossed: { version: string; notes: string }[];
  /** The schemas the two releases require, when the release table knows them. */
  schema: { from: number | null; to: number | null };
  /** The container layout the target moves to, when it differs from the running one's (6.0). */
  layout: WebLayout | null;
}

/**
 * The move to another container layout a target release asks for (eLabFTW 6.0: port 8080, data under
 * /var/lib/elabftw, a cache mount, a non-root user, a read-only root filesystem), or null when the
 * container keeps its layout. The upgrade makes it (see layout-move.ts); the preview says so.
 */
export function layoutChangeOf(from: string | null, to: string): WebLayout | null {
  const before = releaseTraits(from)?.layout;
  const after = releaseTraits(to)?.layout;
  return before && after && JSON.stringify(before) !== JSON.stringify(after) ? after : null;
}

/** The upgrade to `to`, as the instance page shows it before the key touch. */
export function previewUpgrade(from: string, to: string, tags: string[]): UpgradePreview {
  const crossed = stableVersions([...tags, to])
    .filter((v, i, all) => all.indexOf(v) === i)
    .filter((v) => semver.gt(v, from) && semver.lte(v, to))
    .map((version) => ({ version, notes: releaseNotesUrl(version) }));
  return {
    to,
    crossed,
    schema: { from: requiredSchemaFor(from), to: requiredSchemaFor(to) },
    layout: layoutChangeOf(from, to),
  };
}

/** Every newer stable release the registry offers, newest first, each with its preview (at most `limit`). */
export function upgradeChoices(from: string | null, tags: string[], limit = 20): UpgradePreview[] {
  if (!from || !semver.valid(from)) return [];
  return stableVersions(tags)
    .filter((v) => semver.gt(v, from))
    .reverse()
    .slice(0, limit)
    .map((to) => previewUpgrade(from, to, tags));
}

/** What the pre-flight reads from the instance before an upgrade, for the risk checks. */
export interface UpgradeFacts {
  from: string | null;
  to: string;
  /** The schema the database is at (db:check), when known. */
  schema: number | null;
  /** `SELECT VERSION()` of the database server, when it answered. */
  databaseVersion: string | null;
  /** The web container's SITE_URL, or null when it is not set. */
  siteUrl: string | null;
  /** Privileges a migration needs that eLabFTW's database user lacks on its database (SHOW GRANTS), when asked. */
  missingPrivileges?: string[] | null;
  /** Why the database server did not answer the panel, when it did not. */
  databaseUnreachable?: Message | null;
  /** Free space in the web host's Docker directory (images, the kept container), when measured. */
  space?: { freeBytes: number; neededBytes: number; where: string } | null;
}

const GiB = 1024 ** 3;
/** Free space an upgrade wants in Docker's root directory of the web host unless told otherwise. */
export const MIN_FREE_BYTES = 5 * GiB;

/** What eLabFTW's migrations do to its schema (tables, columns, indexes, keys) besides reading and writing rows. */
export const MIGRATION_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "ALTER",
  "INDEX",
  "REFERENCES",
] as const;

/**
 * The privileges of MIGRATION_PRIVILEGES that the rows of `SHOW GRANTS` (as the user itself) do not give
 * on `database`: global grants, and database grants whose name or LIKE pattern covers it (MySQL and
 * MariaDB spell them the same way). Table and column grants are not enough for a migration.
 */
export function missingPrivileges(grants: readonly string[], database: string): string[] {
  const held = new Set<string>();
  for (const line of grants) {
    const m = /^GRANT (.+?) ON (\*|`((?:[^`]|``)+)`|'([^']+)'|([A-Za-z0-9_$%\\]+))\.\* TO /i.exec(line.trim());
    if (!m) continue;
    const pattern = m[2] === "*" ? null : (m[3]?.replace(/``/g, "`") ?? m[4] ?? m[5] ?? "");
    if (pattern !== null) {
      // LIKE semantics: % any run, _ any one character, \_ and \% the characters themselves.
      const regex = pattern.replace(
        /\\([_%])|([%_])|([^%_\\])/g,
        (_all, escaped?: string, wild?: string, other?: string) =>
          wild === "%" ? ".*" : wild === "_" ? "." : (escaped ?? other ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      );
      if (!new RegExp(`^${regex}$`, "i").test(database)) continue;
    }
    for (const p of m[1]!.split(",").map((x) => x.trim().toUpperCase())) {
      if (p === "ALL" || p === "ALL PRIVILEGES") MIGRATION_PRIVILEGES.forEach((x) => held.add(x));
      else held.add(p);
    }
  }
  return MIGRATION_PRIVILEGES.filter((p) => !held.has(p));
}

export interface UpgradeRisk {
  /** "block" stops the upgrade before anything changes; "warn" is journaled and the upgrade goes on. */
  level: "block" | "warn";
  text: Message;
  hint: Message;
}

/** The database server's flavour and major version from `SELECT VERSION()` ("8.0.39", "11.8.9-MariaDB-0+deb13u1"). */
export function databaseServer(version: string): { flavour: "mysql" | "mariadb"; major: number; minor: number } | null {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return null;
  return { flavour: /mariadb/i.test(version) ? "mariadb" : "mysql", major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * What could make the upgrade fail or leave the instance worse, known before anything is touched:
 * a database already past the target's schema (a downgrade in disguise), a MySQL older than the
 * target's code accepts, MariaDB (eLabFTW is tested on MySQL only), and an unset SITE_URL (links in
 * mails and exports point at https://localhost from 5.3.0). Checked at the pre-flight.
 */
export function upgradeRisks(facts: UpgradeFacts): UpgradeRisk[] {
  const risks: UpgradeRisk[] = [];
  const required = requiredSchemaFor(facts.to);
  if (facts.schema !== null && required !== null && facts.schema > required) {
    risks.push({
      level: "block",
      text: msg`The database is at schema ${facts.schema}, newer than eLabFTW ${facts.to} knows (${required}): this would be a downgrade.`,
      hint: asMessage(
        "Check which version really ran on this database (the inventory may be out of date: adopt the instance again), and upgrade to a release at least that new.",
      ),
    });
  }
  if (facts.databaseUnreachable) {
    risks.push({
      level: "block",
      text: msg`The database server does not answer the panel: ${facts.databaseUnreachable}`,
      hint: asMessage(
        "The upgrade needs it for its backup and its migration: start the database (or open the way to an external one), check the instance's page says healthy, then upgrade.",
      ),
    });
  }
  if (facts.space && facts.space.freeBytes < facts.space.neededBytes) {
    risks.push({
      level: "block",
      text: msg`Only ${(facts.space.freeBytes / GiB).toFixed(1)} GiB free in ${facts.space.where} on the web host; ${(facts.space.neededBytes / GiB).toFixed(0)} GiB are needed.`,
      hint: asMessage("Free space on that host (old images: docker image prune), then try again."),
    });
  }
  const server = facts.databaseVersion ? databaseServer(facts.databaseVersion) : null;
  const minimum = releaseTraits(facts.to)?.mysql.minimumMajor ?? null;
  if (server?.flavour === "mysql" && minimum !== null && server.major < minimum) {
    risks.push({
      level: "block",
      text: msg`The database server is MySQL ${facts.databaseVersion ?? ""}; eLabFTW ${facts.to} needs MySQL ${minimum} or newer.`,
      hint: asMessage("Move the database to a supported MySQL first (with a backup), then upgrade."),
    });
  }
  // The reference compose file's MySQL (8.4 from 5.3.0): an older 8.x still runs eLabFTW, and is said.
  const reference = /:(\d+)\.(\d+)$/.exec(releaseTraits(facts.to)?.mysql.referenceImage ?? "");
  if (
    server?.flavour === "mysql" &&
    reference &&
    (minimum === null || server.major >= minimum) &&
    server.major * 100 + server.minor < Number(reference[1]) * 100 + Number(reference[2])
  ) {
    risks.push({
      level: "warn",
      text: msg`The database server is MySQL ${facts.databaseVersion ?? ""}; eLabFTW ${facts.to}'s reference compose file runs MySQL ${`${reference[1]}.${reference[2]}`}.`,
      hint: asMessage(
        "The upgrade goes on (eLabFTW needs MySQL 8 or newer). Move the database with “Move to MySQL 8.4” on the instance's page, before or after.",
      ),
    });
  }
  if (server?.flavour === "mariadb") {
    risks.push({
      level: "warn",
      text: msg`The database server is MariaDB (${facts.databaseVersion ?? ""}); eLabFTW is developed and tested on MySQL only.`,
      hint: asMessage("The upgrade goes on; a migration that fails is rolled back. Plan a move to MySQL."),
    });
  }
  if (facts.missingPrivileges?.length) {
    risks.push({
      level: "block",
      text: msg`eLabFTW's database user lacks ${facts.missingPrivileges.join(", ")} on its database: a migration would fail halfway.`,
      hint: asMessage(
        "Give it all privileges on its database (GRANT ALL PRIVILEGES ON <database>.* TO <user>), then upgrade. Nothing was changed.",
      ),
    });
  }
  if (!facts.siteUrl) {
    risks.push({
      level: "warn",
      text: asMessage("SITE_URL is not set on the web container."),
      hint: asMessage(
        "From eLabFTW 5.3.0 links in mails and exports then point at https://localhost: set SITE_URL to the address users type.",
      ),
    });
  }
  return risks;
}

/** One hunk of a unified diff: where it starts in each file, and its lines marked " ", "-" or "+". */
export interface DiffHunk {
  oldStart: number;
  newStart: number;
  lines: string[];
}

/** The compose file's change as unified-diff hunks (2 lines of context). */
export function composeDiff(before: string, after: string): DiffHunk[] {
  return structuredPatch("a", "b", before, after, "", "", { context: 2 }).hunks.map((h) => ({
    oldStart: h.oldStart,
    newStart: h.newStart,
    lines: h.lines.filter((l) => !l.startsWith("\\")),
  }));
}
