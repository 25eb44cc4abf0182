/**
 * Who may do what. Three roles: admin (everything), operator
 * (hosts, instances, operations) and correspondant CLE (read-only, and only
 * the instances of their own units: see `instanceScope`). Pages, server
 * actions and route handlers all ask `can()`; nothing relies on a hidden
 * button or on the middleware alone.
 */
export type Role = "admin" | "operator" | "correspondant";

const EVERYONE: readonly Role[] = ["admin", "operator", "correspondant"];
const STAFF: readonly Role[] = ["admin", "operator"];
const ADMIN: readonly Role[] = ["admin"];

export const PERMISSIONS = {
  /** Dashboard, instances, backups, audit: correspondants see their units' part only. */
  "fleet.read": EVERYONE,
  "hosts.read": STAFF,
  "hosts.manage": STAFF,
  "instances.manage": STAFF,
  /** Live container logs and exec-based checks: staff only (logs may hold personal data). */
  "instances.inspect": STAFF,
  "instances.deploy": STAFF,
  "instances.upgrade": STAFF,
  "instances.delete": STAFF,
  "backups.run": STAFF,
  "backups.restore": STAFF,
  /** Backup repositories hold off-site credentials and give recovery kits (every backup's secrets): admins. */
  "repositories.manage": ADMIN,
  "operations.read": EVERYONE,
  "audit.read": EVERYONE,
  "settings.read": STAFF,
  "settings.manage": ADMIN,
  "operators.manage": ADMIN,
  /** One's own security keys (My keys). */
  "keys.own": EVERYONE,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Roles that see the whole fleet; the others see their units' instances only. */
export function seesWholeFleet(role: Role): boolean {
  return role !== "correspondant";
}
