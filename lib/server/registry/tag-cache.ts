import { env } from "../../env";
import { toAppError } from "../../errors";
import type { Db } from "../db/client";
import { listTags, type RegistryConfig } from "./registry-client";
import { storedSetting } from "../settings/stored-setting";
import { z } from "zod";

/**
 * Tag lists of the image repositories the fleet uses, fetched by a job (hourly,
 * and at start) and on demand, stored in one setting. Pages compute "a newer
 * version exists" from this stored list and never wait on a registry.
 */
export const TAGS_SETTING = "registry.tags";

/** The official eLabFTW image: always looked up, so the deploy wizard has versions before any instance exists. */
export const ELABFTW_REPOSITORY = "elabftw/elabimg";

const repositoryTags = z.object({
  fetchedAt: z.string(),
  tags: z.array(z.string()),
  /** The last failure, when the last attempt failed (the previous tags are kept). */
  error: z.string().nullable(),
});
export type RepositoryTags = z.infer<typeof repositoryTags>;
/** A cache the panel rebuilds by itself: a row it cannot read counts as empty. */
const storedTags = storedSetting(TAGS_SETTING, z.record(z.string(), repositoryTags), { fallback: {} });
export type TagCache = Record<string, RepositoryTags>;

export function registryConfig(): RegistryConfig {
  const e = env();
  return { url: e.PANEL_REGISTRY_URL, username: e.PANEL_REGISTRY_USERNAME, password: e.PANEL_REGISTRY_PASSWORD };
}

export async function readTagCache(db: Db): Promise<TagCache> {
  return (await storedTags.read(db)) ?? {};
}

/** Fetch the tags of these repositories (default: every repository of the inventory) and store them. */
export async function refreshTagCache(db: Db, config: RegistryConfig, repositories?: string[]): Promise<TagCache> {
  const wanted = repositories ?? [
    ...new Set([
      ELABFTW_REPOSITORY,
      ...(await db.instance.findMany({ distinct: ["imageRepository"], select: { imageRepository: true } })).map(
        (i) => i.imageRepository,
      ),
    ]),
  ];
  const results = await Promise.all(
    wanted.map(async (repository) => {
      try {
        return [
          repository,
          { fetchedAt: new Date().toISOString(), tags: await listTags(config, repository), error: null },
        ] as const;
      } catch (error) {
        const e = toAppError(error);
        return [
          repository,
          { fetchedAt: new Date().toISOString(), tags: null, error: e.hint ? `${e.message} ${e.hint}` : e.message },
        ] as const;
      }
    }),
  );
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${TAGS_SETTING}))`;
    const cache: TagCache = { ...((await storedTags.read(tx)) ?? {}) };
    for (const [repository, result] of results) {
      cache[repository] = {
        fetchedAt: result.fetchedAt,
        tags: result.tags ?? cache[repository]?.tags ?? [],
        error: result.error,
      };
    }
    await storedTags.write(tx, cache);
    return cache;
  });
}
