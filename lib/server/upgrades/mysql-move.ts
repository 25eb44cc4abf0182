import { isScalar, isSeq, parseDocument, type Scalar, type YAMLMap } from "yaml";
import { rewriteComposeImage } from "./compose-sync";

/**
 * The knowledge behind moving an instance's database container from MySQL 8.0 to 8.4 (the reference
 * compose file's MySQL from eLabFTW 5.3.0), kept pure so it can be tested without a server:
 * - 8.4 no longer loads mysql_native_password: accounts that use it cannot log in any more. The
 *   sysadmin guide's fix is `ALTER USER … IDENTIFIED WITH caching_sha2_password BY '…'`, which needs
 *   each account's password: the panel knows root's (MYSQL_ROOT_PASSWORD) and eLabFTW's (DB_PASSWORD);
 *   any other such account stops the move before anything changes.
 * - 8.4 removed `--default-authentication-plugin` (the 5.1.0 example compose file's commented line):
 *   a server started with it does not start at all, so it leaves the command (and the compose file).
 * - 8.4 upgrades the data directory in place on its first start and 8.0 cannot read it afterwards:
 *   the directory is copied while the server is stopped, and a rollback puts that copy back.
 */

/** Accounts of the server itself (locked, no password): never converted, never a reason to stop. */
export const SYSTEM_ACCOUNTS = new Set(["mysql.sys", "mysql.session", "mysql.infoschema", "mariadb.sys"]);

/** Server options 8.4 no longer has: a server given one of them refuses to start. */
const REMOVED_OPTIONS = [/^--default[-_]authentication[-_]plugin(=|$)/];

export interface MysqlImage {
  /** Everything before the tag: `mysql`, `library/mysql`, `registry.example:5000/mirror/mysql`. */
  repository: string;
  tag: string;
  /** `8.0`, `8.4`… from the tag; null for a tag without a version (`latest`, `lts`). */
  series: string | null;
}

/** The official MySQL image's parts, or null when the image is not a `mysql` repository (MariaDB, Percona…). */
export function mysqlImageOf(image: string): MysqlImage | null {
  const withoutDigest = image.split("@")[0]!;
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : "latest";
  if (repository.split("/").pop() !== "mysql") return null;
  const m = /^(\d+\.\d+)(?:\.\d+)?(?:-[A-Za-z0-9.]+)?$/.exec(tag);
  return { repository, tag, series: m ? m[1]! : null };
}

/** The tags an operator may move to (the 8.4 series, pinned or not). */
export const MYSQL_84_TAG = /^8\.4(\.\d{1,3})?$/;

/** The target image: the same repository (a mirror stays a mirror), the given 8.4 tag. */
export function targetImageOf(from: MysqlImage, tag: string): string {
  return `${from.repository}:${tag}`;
}

/** The container's command without the options 8.4 refuses; null when no command is left (the image's own). */
export function commandFor84(cmd: readonly string[] | null): { cmd: string[] | null; dropped: string[] } {
  if (cmd === null) return { cmd: null, dropped: [] };
  const dropped = cmd.filter((arg) => REMOVED_OPTIONS.some((r) => r.test(arg)));
  if (!dropped.length) return { cmd: [...cmd], dropped };
  const kept = cmd.filter((arg) => !dropped.includes(arg));
  return { cmd: kept.length === 0 || (kept.length === 1 && kept[0] === "mysqld") ? null : kept, dropped };
}

/** A MySQL string literal (default SQL mode: backslash escapes, quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''").replace(/\0/g, "\\0")}'`;
}

export interface Account {
  user: string;
  host: string;
  plugin: string;
}

/** Rows of `SELECT user, host, plugin FROM mysql.user` (`--batch --skip-column-names`). */
export function parseAccounts(stdout: string): Account[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [user = "", host = "", plugin = ""] = l.split("\t");
      return { user, host, plugin };
    });
}

/** The accounts that will not log in on 8.4 (mysql_native_password), the server's own left out. */
export function nativeAccounts(accounts: readonly Account[]): Account[] {
  return accounts.filter((a) => a.plugin === "mysql_native_password" && !SYSTEM_ACCOUNTS.has(a.user));
}

/** The statement that gives an account caching_sha2_password with the same password (sysadmin-guide.md). */
export function alterToCachingSha2(account: { user: string; host: string }, password: string): string {
  return `ALTER USER ${sqlString(account.user)}@${sqlString(account.host)} IDENTIFIED WITH caching_sha2_password BY ${sqlString(password)};`;
}

/**
 * The compose file with the database service moved to `image` and the options 8.4 refuses taken out of
 * its `command:`, spliced into the original text (comments and every other line kept); null when the
 * file does not define that service's image. A `command:` left empty goes with its key.
 */
export function rewriteComposeMysql(
  text: string,
  service: string,
  image: string,
  dropped: readonly string[],
): string | null {
  const withImage = rewriteComposeImage(text, service, image);
  if (withImage === null) return null;
  text = withImage;
  const doc = parseDocument(text);
  // rewriteComposeImage found the service as a map with an image: it is there.
  const entry = (doc.get("services", true) as YAMLMap).get(service, true) as unknown as YAMLMap;
  const edits: { start: number; end: number; text: string }[] = [];
  const quoted = (node: Scalar, value: string) =>
    node.type === "QUOTE_DOUBLE"
      ? JSON.stringify(value)
      : node.type === "QUOTE_SINGLE"
        ? `'${value.replace(/'/g, "''")}'`
        : value;
  const drop = new Set(dropped);
  const isDropped = (arg: string) => drop.has(arg) || REMOVED_OPTIONS.some((r) => r.test(arg));
  const pair = entry.items.find((p) => isScalar(p.key) && p.key.value === "command");
  const command = pair?.value;
  // Whole lines: from the start of the line of `from` to the end of the line of `to` (its newline included).
  const lines = (from: number, to: number) => {
    const start = text.lastIndexOf("\n", from - 1) + 1;
    const nl = text.indexOf("\n", to);
    return { start, end: nl === -1 ? text.length : nl + 1 };
  };
  if (
    pair &&
    isScalar(pair.key) &&
    pair.key.range &&
    isScalar(command) &&
    typeof command.value === "string" &&
    command.range
  ) {
    const args = command.value.split(/\s+/).filter(Boolean);
    const kept = args.filter((a) => !isDropped(a));
    if (kept.length !== args.length) {
      if (kept.length === 0 || (kept.length === 1 && kept[0] === "mysqld")) {
        edits.push({ ...lines(pair.key.range[0], command.range[1]), text: "" });
      } else {
        edits.push({ start: command.range[0], end: command.range[1], text: quoted(command, kept.join(" ")) });
      }
    }
  } else if (pair && isScalar(pair.key) && pair.key.range && isSeq(command) && command.range) {
    const items = command.items.filter(isScalar);
    const gone = items.filter((i) => typeof i.value === "string" && isDropped(i.value));
    if (gone.length) {
      const left = items.filter((i) => !gone.includes(i)).map((i) => String(i.value));
      if (left.length === 0 || (left.length === 1 && left[0] === "mysqld")) {
        edits.push({ ...lines(pair.key.range[0], command.range[1] - 1), text: "" });
      } else if (command.flow) {
        edits.push({
          start: command.range[0],
          end: command.range[1],
          text: `[${items
            .filter((i) => !gone.includes(i))
            .map((i) => text.slice(i.range![0], i.range![1]))
            .join(", ")}]`,
        });
      } else {
        for (const i of gone) edits.push({ ...lines(i.range![0], i.range![1]), text: "" });
      }
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
