import { z } from "zod";
import { open, seal, type KeyRing } from "../../crypto";
import type { ContainerCreateBody } from "../../docker";
import { AppError } from "../../errors";

/**
 * An instance's secrets (Instance.secretsEnc): one sealed JSON document,
 * bound to the instance, read with one schema. Every use case opens it here.
 */
export const instanceSecretsSchema = z.object({
  /** DB_PASSWORD of the web container. */
  dbPassword: z.string().optional(),
  /** SECRET_KEY of the web container (eLabFTW's encryption key). */
  secretKey: z.string().optional(),
  /** MYSQL_ROOT_PASSWORD of a managed database container. */
  mysqlRootPassword: z.string().optional(),
  /** A read-only eLabFTW API key, for the usage figures. */
  apiKey: z.string().optional(),
});
export type InstanceSecrets = z.infer<typeof instanceSecretsSchema>;

export const instanceSecretsContext = (instanceId: string) => `instance:${instanceId}:secrets`;
export const databaseSpecContext = (instanceId: string) => `instance:${instanceId}:database-spec`;

/** The instance's secrets ({} when none is stored). A document that does not parse is refused, never guessed. */
export function openInstanceSecrets(
  ring: KeyRing,
  instance: { id: string; secretsEnc: string | null },
): InstanceSecrets {
  if (!instance.secretsEnc) return {};
  const text = open(ring, instance.secretsEnc, instanceSecretsContext(instance.id));
  const parsed = instanceSecretsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new AppError("internal", "This instance's stored secrets are not in a shape this panel reads.", {
      hint: "Read them again from the containers (Re-read credentials, on the instance's page).",
    });
  }
  return parsed.data;
}

/** The sealed document for these secrets (null when there is none to keep). */
export function sealInstanceSecrets(ring: KeyRing, instanceId: string, secrets: InstanceSecrets): string | null {
  const kept = Object.fromEntries(Object.entries(secrets).filter(([, v]) => typeof v === "string" && v !== ""));
  return Object.keys(kept).length ? seal(ring, JSON.stringify(kept), instanceSecretsContext(instanceId)) : null;
}

/** The database password, or a clear refusal naming what to do. */
export function requireDatabasePassword(secrets: InstanceSecrets): string {
  if (!secrets.dbPassword) {
    throw new AppError("precondition_failed", "The panel does not know this instance's database password.", {
      hint: "Adopt the instance again from its host (Discover reads it from the container), or add it by hand with the password.",
    });
  }
  return secrets.dbPassword;
}

/** The database container's last seen create body (Instance.databaseSpecEnc), to re-create it if it was removed. */
export function openDatabaseSpec(
  ring: KeyRing,
  instance: { id: string; databaseSpecEnc: string | null },
): ContainerCreateBody | null {
  if (!instance.databaseSpecEnc) return null;
  const spec = JSON.parse(open(ring, instance.databaseSpecEnc, databaseSpecContext(instance.id))) as unknown;
  if (!spec || typeof spec !== "object" || typeof (spec as { Image?: unknown }).Image !== "string") {
    throw new AppError("internal", "The stored description of this instance's database container is not readable.", {
      hint: "Let the panel observe the instance again while its database runs (Check now, on its page).",
    });
  }
  return spec as ContainerCreateBody;
}
