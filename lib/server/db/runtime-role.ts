import pg from "pg";

/**
 * The panel runs as a role that is not the owner of its tables and not a
 * superuser: it can read and write the inventory, but it can only add to the
 * audit trail (no UPDATE, DELETE or TRUNCATE on "AuditEvent"), and it cannot
 * disable the append-only triggers (that needs the table's owner) nor switch
 * them off for its session (`session_replication_role` needs a superuser).
 * Migrations and the job queue's own schema run as the owner.
 *
 * The embedded PostgreSQL creates this role itself (`paillasse_app`, password
 * beside the cluster's); with an external database, DATABASE_OWNER_URL names
 * the owner and DATABASE_URL the runtime role, which the panel then grants.
 */
export const RUNTIME_ROLE = "paillasse_app";

/** Create (or bring back to its rules) a runtime role with this password, then grant it. */
export async function ensureRuntimeRole(ownerUrl: string, role: { name: string; password: string }): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const name = pg.escapeIdentifier(role.name);
    await client.query(`DO $$ BEGIN CREATE ROLE ${name}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    await client.query(
      `ALTER ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(role.password)}`,
    );
  } finally {
    await client.end();
  }
  await grantRuntimeRole(ownerUrl, role.name);
}

/**
 * Grant the runtime role what the panel needs on the owner's tables, and no more on the audit trail. Run after
 * every migration (new tables get their grants); idempotent.
 */
export async function grantRuntimeRole(ownerUrl: string, roleName: string): Promise<void> {
  await asOwner(ownerUrl, async (client) => {
    const role = pg.escapeIdentifier(roleName);
    const { rows } = await client.query<{ db: string; owner: string; superuser: boolean }>(
      `SELECT current_database() AS db, current_user AS owner,
              (SELECT rolsuper FROM pg_roles WHERE rolname = $1) AS superuser`,
      [roleName],
    );
    const { db, owner, superuser } = rows[0]!;
    if (roleName === owner) throw new Error("the runtime role must not be the owner of the panel's tables");
    if (superuser) throw new Error(`the runtime role ${roleName} is a superuser: it could rewrite the audit trail`);
    await client.query(`GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(db)} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    // (Before the first migration neither table exists yet: the grants are made again after it.)
    const present = async (table: string) =>
      (await client.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`"${table}"`])).rows[0]!.t;
    if (await present("AuditEvent")) {
      await client.query(`REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON "AuditEvent" FROM ${role}`);
    }
    if (await present("_prisma_migrations")) {
      await client.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM ${role}`);
    }
  });
}

/**
 * The job queue's schema (created and migrated by pg-boss as the owner when the workers start): the web side sends
 * jobs and the health check reads its version as the runtime role. Run after the workers started; idempotent.
 */
export async function grantQueueToRuntimeRole(ownerUrl: string, roleName: string, schema = "pgboss"): Promise<void> {
  await asOwner(ownerUrl, async (client) => {
    const role = pg.escapeIdentifier(roleName);
    const s = pg.escapeIdentifier(schema);
    await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${role}`);
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`);
    await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${role}`);
  });
}

/** Run `work` in one transaction as the owner: all the grants, or none. */
async function asOwner(ownerUrl: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await work(client);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/** The owner's URL with the runtime role's name and password instead. */
export function runtimeUrl(ownerUrl: string, role: { name: string; password: string }): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role.name);
  url.password = encodeURIComponent(role.password);
  return url.toString();
}
