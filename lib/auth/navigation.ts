import { can, type Permission, type Role } from "./permissions";

/** Every page of the main navigation and the permission it needs. */
export const NAV_ITEMS: { href: string; label: string; permission: Permission }[] = [
  { href: "/", label: "Dashboard", permission: "fleet.read" },
  { href: "/hosts", label: "Hosts", permission: "hosts.read" },
  { href: "/instances", label: "Instances", permission: "fleet.read" },
  { href: "/backups", label: "Backups", permission: "fleet.read" },
  { href: "/operations", label: "Operations", permission: "operations.read" },
  { href: "/audit", label: "Audit", permission: "audit.read" },
  { href: "/operators", label: "Operators", permission: "operators.manage" },
  { href: "/settings", label: "Settings", permission: "settings.read" },
  { href: "/keys", label: "My keys", permission: "keys.own" },
];

export function navigationFor(role: Role): { href: string; label: string }[] {
  return NAV_ITEMS.filter((item) => can(role, item.permission)).map(({ href, label }) => ({ href, label }));
}
