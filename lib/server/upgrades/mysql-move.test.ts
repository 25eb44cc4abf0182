import { describe, expect, it } from "vitest";
import {
  alterToCachingSha2,
  commandFor84,
  mysqlImageOf,
  nativeAccounts,
  parseAccounts,
  rewriteComposeMysql,
  sqlString,
  targetImageOf,
} from "./mysql-move";

describe("the MySQL 8.0 → 8.4 move, planned without a server", () => {
  it("reads the official image's series, mirrors and pinned patch releases included", () => {
    expect(mysqlImageOf("mysql:8.0")).toEqual({ repository: "mysql", tag: "8.0", series: "8.0" });
    expect(mysqlImageOf("docker.io/library/mysql:8.0.39")?.series).toBe("8.0");
    expect(mysqlImageOf("registry.example:5000/mirror/mysql:8.0.36-oracle")?.series).toBe("8.0");
    expect(mysqlImageOf("mysql")).toEqual({ repository: "mysql", tag: "latest", series: null });
    expect(mysqlImageOf("mariadb:11.4")).toBeNull();
    expect(mysqlImageOf("registry.example:5000/mysql-proxy:8.0")).toBeNull();
    expect(targetImageOf(mysqlImageOf("registry.example:5000/mirror/mysql:8.0.36")!, "8.4")).toBe(
      "registry.example:5000/mirror/mysql:8.4",
    );
  });

  it("takes out of the command only the options 8.4 refuses", () => {
    expect(commandFor84(null)).toEqual({ cmd: null, dropped: [] });
    expect(commandFor84(["mysqld", "--default-authentication-plugin=mysql_native_password"])).toEqual({
      cmd: null,
      dropped: ["--default-authentication-plugin=mysql_native_password"],
    });
    expect(
      commandFor84(["--default_authentication_plugin=mysql_native_password", "--innodb-buffer-pool-size=1G"]),
    ).toEqual({
      cmd: ["--innodb-buffer-pool-size=1G"],
      dropped: ["--default_authentication_plugin=mysql_native_password"],
    });
    expect(commandFor84(["mysqld", "--max-connections=500"])).toEqual({
      cmd: ["mysqld", "--max-connections=500"],
      dropped: [],
    });
  });

  it("lists the accounts that will not log in on 8.4, not the server's own", () => {
    const accounts = parseAccounts(
      "mysql.sys\tlocalhost\tcaching_sha2_password\nmariadb.sys\tlocalhost\tmysql_native_password\nroot\t%\tmysql_native_password\nelabftw\t%\tcaching_sha2_password\nreport\t10.0.%\tmysql_native_password\n",
    );
    expect(nativeAccounts(accounts)).toEqual([
      { user: "root", host: "%", plugin: "mysql_native_password" },
      { user: "report", host: "10.0.%", plugin: "mysql_native_password" },
    ]);
  });

  it("writes passwords and names as SQL literals that cannot break out", () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString("a\\'; DROP USER root; --")).toBe("'a\\\\''; DROP USER root; --'");
    expect(alterToCachingSha2({ user: "elabftw", host: "%" }, "p'w")).toBe(
      "ALTER USER 'elabftw'@'%' IDENTIFIED WITH caching_sha2_password BY 'p''w';",
    );
  });

  const compose = `# eLabFTW (from the 5.1.0 example)
services:
  web:
    image: elabftw/elabimg:5.1.0
  mysql:
    image: "mysql:8.0" # the database
    # command: --default-authentication-plugin=mysql_native_password
    command: --default-authentication-plugin=mysql_native_password
    restart: always
  other:
    image: mysql:8.0
    command: [mysqld, --default-authentication-plugin=mysql_native_password, --max-connections=50]
`;

  it("rewrites the database service's image and command in the compose file, and nothing else", () => {
    const out = rewriteComposeMysql(compose, "mysql", "mysql:8.4", [
      "--default-authentication-plugin=mysql_native_password",
    ]);
    expect(out).toBe(`# eLabFTW (from the 5.1.0 example)
services:
  web:
    image: elabftw/elabimg:5.1.0
  mysql:
    image: "mysql:8.4" # the database
    # command: --default-authentication-plugin=mysql_native_password
    restart: always
  other:
    image: mysql:8.0
    command: [mysqld, --default-authentication-plugin=mysql_native_password, --max-connections=50]
`);
    // Run again: nothing more changes but the image it names.
    expect(rewriteComposeMysql(out!, "mysql", "mysql:8.4", [])).toBe(out);
    expect(rewriteComposeMysql(compose, "other", "mysql:8.4", [])).toContain(
      "    image: mysql:8.4\n    command: [mysqld, --max-connections=50]\n",
    );
    expect(rewriteComposeMysql(compose, "absent", "mysql:8.4", [])).toBeNull();
  });

  it("keeps the other items of a block command list", () => {
    const text =
      "services:\n  db:\n    image: mysql:8.0\n    command:\n      - --default-authentication-plugin=mysql_native_password\n      - --max-connections=50\n    restart: always\n";
    expect(rewriteComposeMysql(text, "db", "mysql:8.4", [])).toBe(
      "services:\n  db:\n    image: mysql:8.4\n    command:\n      - --max-connections=50\n    restart: always\n",
    );
    const only =
      "services:\n  db:\n    image: mysql:8.0\n    command:\n      - --default-authentication-plugin=mysql_native_password\n    restart: always\n";
    expect(rewriteComposeMysql(only, "db", "mysql:8.4", [])).toBe(
      "services:\n  db:\n    image: mysql:8.4\n    restart: always\n",
    );
  });
});
