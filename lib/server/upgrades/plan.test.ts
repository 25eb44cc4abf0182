import { describe, expect, it } from "vitest";
import { asMessage, englishText } from "../../i18n/message";
import {
  composeDiff,
  databaseServer,
  missingPrivileges,
  layoutChangeOf,
  previewUpgrade,
  upgradeChoices,
  upgradeRisks,
  type UpgradeFacts,
} from "./plan";

const TAGS = [
  "5.0.4",
  "5.1.0",
  "5.1.8",
  "5.2.0",
  "5.5.14",
  "5.6.12",
  "6.0.0",
  "6.0.0-alpha4",
  "latest",
  "stable",
  "5.6.12-php8",
];

describe("the upgrade an operator sees before the key touch", () => {
  it("lists every stable release crossed, oldest first, with its notes, and the schema move", () => {
    const p = previewUpgrade("5.1.0", "5.6.12", TAGS);
    expect(p.crossed.map((c) => c.version)).toEqual(["5.1.8", "5.2.0", "5.5.14", "5.6.12"]);
    expect(p.crossed[0]!.notes).toBe("https://github.com/elabftw/elabftw/releases/tag/5.1.8");
    expect(p.schema).toEqual({ from: 165, to: 217 });
    expect(p.layout).toBeNull();
    // A target the tag list does not hold (yet) is still its own last release.
    expect(previewUpgrade("5.0.4", "5.1.0", ["5.0.4"]).crossed.map((c) => c.version)).toEqual(["5.1.0"]);
  });

  it("says when the target runs its container another way (6.0), and only then", () => {
    const p = previewUpgrade("5.6.12", "6.0.0", TAGS);
    expect(p.layout).toMatchObject({ containerPort: 8080, uploads: "/var/lib/elabftw/uploads", runsAs: "user" });
    expect(layoutChangeOf("5.0.4", "5.6.12")).toBeNull();
    expect(layoutChangeOf("6.0.0", "6.1.0")).toBeNull();
    // Nothing known of either side: no move announced (the pre-flight reads the container).
    expect(layoutChangeOf(null, "5.1.0")).toBeNull();
    expect(layoutChangeOf("latest", "6.0.0")).toBeNull();
  });

  it("offers every newer stable release, newest first, never a pre-release or a named tag", () => {
    expect(upgradeChoices("5.1.8", TAGS).map((c) => c.to)).toEqual(["6.0.0", "5.6.12", "5.5.14", "5.2.0"]);
    expect(upgradeChoices("6.0.0", TAGS)).toEqual([]);
    expect(upgradeChoices(null, TAGS)).toEqual([]);
    expect(upgradeChoices("5.0.4", TAGS, 2).map((c) => c.to)).toEqual(["6.0.0", "5.6.12"]);
  });
});

describe("the risks the pre-flight checks before anything changes", () => {
  const base = {
    from: "5.1.0",
    to: "5.6.12",
    schema: 165,
    databaseVersion: "8.0.39",
    siteUrl: "https://elab.unit.example",
  };
  const seen = (facts: Partial<UpgradeFacts>) =>
    upgradeRisks({ ...base, ...facts }).map((r) => `${r.level}: ${englishText(r.text)}`);

  it("finds nothing on a healthy instance on its release's reference MySQL, in sync with its version", () => {
    expect(seen({ databaseVersion: "8.4.3" })).toEqual([]);
    expect(seen({ databaseVersion: "9.1.0" })).toEqual([]);
    // MySQL 8.0 under a 5.1.x target: that release's reference compose file ran 8.0 itself.
    expect(seen({ to: "5.1.8", schema: 144 })).toEqual([]);
  });

  it("says when the server is older than the target's reference MySQL, and goes on", () => {
    expect(seen({})).toEqual([
      "warn: The database server is MySQL 8.0.39; eLabFTW 5.6.12's reference compose file runs MySQL 8.4.",
    ]);
  });

  it("blocks a database already past the target's schema: a downgrade in disguise", () => {
    expect(seen({ schema: 217, to: "5.1.8" })).toEqual([
      "block: The database is at schema 217, newer than eLabFTW 5.1.8 knows (166): this would be a downgrade.",
    ]);
  });

  it("blocks MySQL older than the target accepts, warns on MariaDB and on an unset SITE_URL", () => {
    expect(seen({ databaseVersion: "5.7.44-log" })).toEqual([
      "block: The database server is MySQL 5.7.44-log; eLabFTW 5.6.12 needs MySQL 8 or newer.",
    ]);
    expect(seen({ databaseVersion: "11.8.9-MariaDB-0+deb13u1", siteUrl: null })).toEqual([
      "warn: The database server is MariaDB (11.8.9-MariaDB-0+deb13u1); eLabFTW is developed and tested on MySQL only.",
      "warn: SITE_URL is not set on the web container.",
    ]);
    // A server that did not say (an external one out of reach is refused elsewhere) adds nothing here.
    expect(seen({ databaseVersion: null })).toEqual([]);
  });

  it("blocks a database server that does not answer, and a web host short of space; enough space adds nothing", () => {
    const GiB = 1024 ** 3;
    expect(
      seen({ databaseVersion: "8.4.3", databaseUnreachable: asMessage("connect ECONNREFUSED 10.0.0.5:3306") }),
    ).toEqual(["block: The database server does not answer the panel: connect ECONNREFUSED 10.0.0.5:3306"]);
    const space = { neededBytes: 5 * GiB, where: "/var/lib/docker" };
    expect(seen({ databaseVersion: "8.4.3", space: { ...space, freeBytes: 1.5 * GiB } })).toEqual([
      "block: Only 1.5 GiB free in /var/lib/docker on the web host; 5 GiB are needed.",
    ]);
    expect(seen({ databaseVersion: "8.4.3", space: { ...space, freeBytes: 5 * GiB } })).toEqual([]);
  });

  it("reads the server's flavour and major version", () => {
    expect(databaseServer("8.0.39")).toEqual({ flavour: "mysql", major: 8, minor: 0 });
    expect(databaseServer("10.11.6-MariaDB-0+deb12u1-log")).toEqual({ flavour: "mariadb", major: 10, minor: 11 });
    expect(databaseServer("not a version")).toBeNull();
  });
});

describe("the compose file's change, as the upgrade dialog shows it", () => {
  it("gives only the changed lines with two lines of context, in unified-diff hunks", () => {
    const before =
      "# unit\nservices:\n  web:\n    image: elabftw/elabimg:5.0.4\n    restart: always\n  mysql:\n    image: mysql:8.0\n";
    const after = before.replace("elabimg:5.0.4", "elabimg:5.1.0");
    expect(composeDiff(before, after)).toEqual([
      {
        oldStart: 2,
        newStart: 2,
        lines: [
          " services:",
          "   web:",
          "-    image: elabftw/elabimg:5.0.4",
          "+    image: elabftw/elabimg:5.1.0",
          "     restart: always",
          "   mysql:",
        ],
      },
    ]);
    expect(composeDiff(before, before)).toEqual([]);
  });
});

describe("the privileges a migration needs, read from SHOW GRANTS", () => {
  it("accepts ALL on the database, a LIKE pattern that covers it, or every needed privilege globally", () => {
    expect(
      missingPrivileges(
        ["GRANT USAGE ON *.* TO `elabftw`@`%`", "GRANT ALL PRIVILEGES ON `elabftw`.* TO `elabftw`@`%`"],
        "elabftw",
      ),
    ).toEqual([]);
    expect(missingPrivileges(["GRANT ALL PRIVILEGES ON `elab\\_%`.* TO `e`@`%`"], "elab_unit1")).toEqual([]);
    expect(
      missingPrivileges(
        ["GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER ON *.* TO 'e'@'%'"],
        "x",
      ),
    ).toEqual([]);
  });

  it("names what is missing: row rights only, another database, a pattern that does not cover it, table grants", () => {
    expect(
      missingPrivileges(
        ["GRANT USAGE ON *.* TO `e`@`%`", "GRANT SELECT, INSERT, UPDATE, DELETE ON `elabftw`.* TO `e`@`%`"],
        "elabftw",
      ),
    ).toEqual(["CREATE", "DROP", "ALTER", "INDEX", "REFERENCES"]);
    expect(missingPrivileges(["GRANT ALL PRIVILEGES ON `other`.* TO `e`@`%`"], "elabftw")).toHaveLength(9);
    // An escaped underscore is an underscore: elab_x is covered, elabXx is not.
    expect(missingPrivileges(["GRANT ALL PRIVILEGES ON `elab\\_x`.* TO `e`@`%`"], "elabXx")).toHaveLength(9);
    expect(missingPrivileges(["GRANT ALL PRIVILEGES ON `elabftw`.`users` TO `e`@`%`"], "elabftw")).toHaveLength(9);
  });

  it("blocks the upgrade on it, before anything changes", () => {
    const risks = upgradeRisks({
      from: "5.1.0",
      to: "5.6.12",
      schema: 165,
      databaseVersion: "8.4.3",
      siteUrl: "https://elab.unit.example",
      missingPrivileges: ["ALTER", "INDEX"],
    });
    expect(risks.map((r) => `${r.level}: ${englishText(r.text)}`)).toEqual([
      "block: eLabFTW's database user lacks ALTER, INDEX on its database: a migration would fail halfway.",
    ]);
  });
});
