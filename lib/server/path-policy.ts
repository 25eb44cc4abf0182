import path from "node:path";

/**
 * One rule for every path an operator types (backup destinations on the
 * panel's machine, uploads directories bound into containers on a Docker
 * host): absolute, in its normal form, no `:` (Docker's bind separator) and
 * no NUL or line break, not a system directory nor inside one, not the Docker
 * socket, not Docker's own data, and not inside the panel's data directory
 * (its keys and database), unless `allowInside` names a place there that is
 * meant for it (the default backup directory).
 */
export const SYSTEM_DIRECTORIES = ["/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var/run", "/var/lib/docker"];
const EXACTLY_REFUSED = [
  "/",
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib64",
  "/var",
  "/var/lib",
  "/home",
  "/root",
  "/srv",
  "/mnt",
  "/opt",
  "/tmp",
];

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent === "/" ? "/" : `${parent}/`);

export interface PathPolicy {
  /** The panel's data directory (refused, and everything inside it). */
  dataDir?: string;
  /** Places inside the data directory that are allowed anyway (e.g. the default backup directory). */
  allowInside?: string[];
  /** A good value, shown when the path is not absolute. */
  example?: string;
}

/** Why `value` is refused, as the end of a sentence starting with the field's name, or null when it is fine. */
export function pathProblem(value: string, policy: PathPolicy = {}): string | null {
  if (!value) return "must not be empty";
  if (value.length > 4096) return "must be at most 4096 characters";
  if (/[\0\r\n]/.test(value)) return "must not contain a NUL byte or a line break";
  if (value.includes(":")) return "must not contain “:” (Docker would read it as a bind's options)";
  if (!value.startsWith("/")) return `must be an absolute path, e.g. ${policy.example ?? "/srv/elabftw/uploads"}`;
  const normal = path.posix.normalize(value).replace(/\/+$/, "") || "/";
  if (normal !== (value.replace(/\/+$/, "") || "/")) return `must be written in its normal form (${normal})`;
  if (EXACTLY_REFUSED.includes(normal)) return `must not be ${normal} itself: use a directory of its own below it`;
  const system = SYSTEM_DIRECTORIES.find((d) => inside(normal, d));
  if (system) return `must not be in ${system} (a system directory)`;
  if (/(^|\/)docker\.sock$/.test(normal)) return "must not be the Docker socket";
  if (policy.dataDir) {
    const data = path.resolve(policy.dataDir);
    const allowed = (policy.allowInside ?? []).map((p) => path.resolve(p));
    if (inside(normal, data) && !allowed.some((a) => inside(normal, a))) {
      return "must not be inside the panel's data directory (its keys and database live there)";
    }
  }
  return null;
}
