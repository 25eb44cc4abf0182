import { can, type Permission, type Role } from "./permissions";

/** Every page of the main navigation and the permission it needs. */
/** `label` is the key of the link's words under "nav" in the message catalogs. */
export const NAV_ITEMS: { href: string; label: string; permission: Permission }[] = [
  { href: "/", label: "dashboard", permission: "fleet.read" },
  { href: "/hosts", label: "hosts", permission: "hosts.read" },
  { href: "/instances", label: "instances", permission: "fleet.read" },
  { href: "/backups", label: "backups", permission: "fleet.read" },
  { href: "/upgrades", label: "upgrades", permission: "instances.upgrade" },
  { href: "/operations", label: "operations", permission: "operations.read" },
  { href: "/audit", label: "audit", permission: "audit.read" },
  { href: "/operators", label: "operators", permission: "operators.manage" },
  { href: "/settings", label: "settings", permission: "settings.read" },
  { href: "/keys", label: "keys", permission: "keys.own" },
];

export function navigationFor(role: Role): { href: string; label: string }[] {
  return NAV_ITEMS.filter((item) => can(role, item.permission)).map(({ href, label }) => ({ href, label }));
}
