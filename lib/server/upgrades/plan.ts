import semver from "semver";
import { msg, type Message } from "../../i18n/message";
import { releaseNotesUrl, releaseTraits, requiredSchemaFor } from "../instances/elabftw-releases";
import { stableVersions } from "../registry/versions";

/** What an operator sees of an upgrade before the key touch: every release crossed, the schema move, and what stops it. */
export interface UpgradePreview {
  to: string;
  /** The stable releases the registry offers between the running version (excluded) and the target (included), oldest first. */
  crossed: { version: string; notes: string }[];
  /** The schemas the two releases require, when the release table knows them. */
  schema: { from: number | null; to: number | null };
  /** Why the panel will not do this upgrade, or null. */
  blocked: Message | null;
}

export const LAYOUT_CHANGE_HINT =
  "Upgrade to the newest release before it for now; the move to a release that changes the container's layout is done by hand, following eLabFTW's upgrade guide.";

/**
 * A move the panel cannot make as an image swap: the target release runs its container another way
 * (eLabFTW 6.0: port 8080, data under /var/lib/elabftw, a required cache mount, a non-root user, a
 * read-only root filesystem). Swapping the image alone would start a container that serves nothing.
 */
export function layoutChangeBlocker(from: string | null, to: string): Message | null {
  const before = releaseTraits(from)?.layout;
  const after = releaseTraits(to)?.layout;
  if (!before || !after || JSON.stringify(before) === JSON.stringify(after)) return null;
  return msg`eLabFTW ${to} runs its container another way than ${from ?? "the running version"} (port ${after.containerPort}, uploads in ${after.uploads}, its own user): the panel cannot make this move yet.`;
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
    blocked: layoutChangeBlocker(from, to),
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
