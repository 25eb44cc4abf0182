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

/** The release notes of an eLabFTW version, shown before an upgrade and written in its journal. */
export const releaseNotesUrl = (version: string) => `https://github.com/elabftw/elabftw/releases/tag/${version}`;
