/**
 * The instances a host serves, each once: one whose web and database containers both run there is
 * one instance in two roles, not two instances.
 */
export function instancesOnHost(
  web: { id: string; name: string }[],
  database: { id: string; name: string }[],
): { id: string; name: string; roles: ("web" | "database")[] }[] {
  const byId = new Map<string, { id: string; name: string; roles: ("web" | "database")[] }>();
  for (const [role, list] of [
    ["web", web],
    ["database", database],
  ] as const) {
    for (const i of list) {
      const seen = byId.get(i.id);
      if (seen) seen.roles.push(role);
      else byId.set(i.id, { id: i.id, name: i.name, roles: [role] });
    }
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}
