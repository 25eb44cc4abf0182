import semver from "semver";

/**
 * Which eLabFTW versions a tag list offers (semver: the maintained library,
 * not a hand-written comparison). Only stable releases count: no alpha, beta
 * or rc, no `latest`, no suffixed builds.
 */
export function stableVersions(tags: string[]): string[] {
  return tags.filter((t) => /^\d+\.\d+\.\d+$/.test(t) && semver.valid(t)).sort(semver.compare);
}

export interface Updates {
  /** Newest patch release of the current major.minor line, when newer than the current one. */
  newestPatch: string | null;
  /** Newest stable release overall, when newer than the current one. */
  newest: string | null;
}

export function updatesFor(current: string | null, tags: string[]): Updates {
  const stable = stableVersions(tags);
  if (!current || !semver.valid(current)) return { newestPatch: null, newest: stable.at(-1) ?? null };
  const line = `~${semver.major(current)}.${semver.minor(current)}.0`;
  const patch = semver.maxSatisfying(stable, line);
  const newest = stable.at(-1) ?? null;
  return {
    newestPatch: patch && semver.gt(patch, current) ? patch : null,
    newest: newest && semver.gt(newest, current) ? newest : null,
  };
}
