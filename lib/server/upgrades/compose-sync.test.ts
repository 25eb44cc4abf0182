import { describe, expect, it } from "vitest";
import { composeLabelsOf, rewriteComposeImage } from "./compose-sync";

describe("compose file rewriting", () => {
  const file = `# the unit's eLabFTW
services:
  web:
    # keep this comment
    image: "elabftw/elabimg:5.0.4"   # pinned
    ports: ["443:443"]
  mysql:
    image: mysql:8.0
`;

  it("changes only the service's image, keeping comments, quotes and the other services", () => {
    const out = rewriteComposeImage(file, "web", "elabftw/elabimg:5.1.0")!;
    expect(out).toContain("# the unit's eLabFTW");
    expect(out).toContain("# keep this comment");
    expect(out).toMatch(/image: "elabftw\/elabimg:5\.1\.0" +# pinned/);
    expect(out).toContain("image: mysql:8.0");
    expect(out).toMatch(/ports: \[ ?"443:443" ?\]/);
    expect(out.match(/5\.0\.4/g)).toBeNull();
  });

  /** The lines of `before` and `after` that differ: exactly one is expected, the image line. */
  function changedLines(before: string, after: string) {
    const a = before.split("\n");
    const b = after.split("\n");
    expect(b.length).toBe(a.length);
    return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]!]]));
  }

  // A compose file as a lab admin writes it: long lines, flow sequences, anchors, odd quoting.
  const messy = [
    "# eLabFTW, UMR 5107 — edited by hand over the years",
    "x-logging: &logging",
    "  driver: json-file",
    "  options: { max-size: '10m', max-file: \"3\" }",
    "services:",
    "  web:",
    "    image: elabftw/elabimg:5.0.4",
    "    logging: *logging",
    "    cap_drop: [ALL]",
    "    cap_add: [CHOWN, SETGID, SETUID, FOWNER, DAC_OVERRIDE]",
    "    environment:",
    "      - SITE_URL=https://elab.unit.example",
    "      - DB_PASSWORD='quoted with spaces'",
    "  mysql:",
    "    image:   'mysql:8.0'",
    "    healthcheck:",
    '      test: ["CMD", "mysqladmin", "ping", "-h", "localhost", "-u", "$$MYSQL_USER", "--password=$$MYSQL_PASSWORD", "--silent"]',
    "      interval: 30s",
    "    logging: *logging",
    "",
  ].join("\n");

  it("changes the image line alone, every other byte kept (long lines, flow sequences, anchors, quotes)", () => {
    const out = rewriteComposeImage(messy, "web", "elabftw/elabimg:5.1.0")!;
    expect(changedLines(messy, out)).toEqual([
      ["    image: elabftw/elabimg:5.0.4", "    image: elabftw/elabimg:5.1.0"],
    ]);
    expect(out.replace("5.1.0", "5.0.4")).toBe(messy);
    // Single quotes and the odd spacing of another service's image stay as written.
    const db = rewriteComposeImage(messy, "mysql", "mysql:8.4")!;
    expect(changedLines(messy, db)).toEqual([["    image:   'mysql:8.0'", "    image:   'mysql:8.4'"]]);
  });

  it("keeps CRLF line breaks, a file without a final newline, and comments after the value", () => {
    const crlf = messy.replaceAll("\n", "\r\n");
    const out = rewriteComposeImage(crlf, "web", "elabftw/elabimg:5.1.0")!;
    expect(out).toBe(crlf.replace("elabimg:5.0.4", "elabimg:5.1.0"));
    expect(changedLines(crlf, out)).toHaveLength(1);

    const bare = 'services:\n  web:\n    image: "elabftw/elabimg:5.0.4" # pinned by hand';
    expect(rewriteComposeImage(bare, "web", "elabftw/elabimg:5.1.0")).toBe(
      'services:\n  web:\n    image: "elabftw/elabimg:5.1.0" # pinned by hand',
    );
  });

  it("changes an image given through an alias at its anchor, and refuses what it cannot write faithfully", () => {
    const aliased = "x-image: &elab elabftw/elabimg:5.0.4\nservices:\n  web:\n    image: *elab\n";
    const out = rewriteComposeImage(aliased, "web", "elabftw/elabimg:5.1.0")!;
    expect(out).toBe("x-image: &elab elabftw/elabimg:5.1.0\nservices:\n  web:\n    image: *elab\n");
    expect(() => rewriteComposeImage("services:\n  web:\n    image: |\n      x:1\n", "web", "y:2")).toThrow(
      /block scalar/,
    );
    expect(() => rewriteComposeImage(messy, "web", "evil\nimage: x")).toThrow(/not an image reference/);
  });

  it("leaves a file alone when the service has no image of its own, and refuses broken YAML", () => {
    expect(rewriteComposeImage(file, "worker", "x:1")).toBeNull();
    expect(rewriteComposeImage("services:\n  web:\n    build: .\n", "web", "x:1")).toBeNull();
    expect(() => rewriteComposeImage("services: [unclosed\n", "web", "x:1")).toThrow(/not valid YAML/);
  });

  it("reads the compose labels, relative files resolved against the working directory", () => {
    expect(
      composeLabelsOf({
        "com.docker.compose.project.working_dir": "/srv/elabftw",
        "com.docker.compose.project.config_files": "docker-compose.yml,/etc/elab/override.yml",
        "com.docker.compose.service": "web",
      }),
    ).toEqual({
      workingDir: "/srv/elabftw",
      configFiles: ["/srv/elabftw/docker-compose.yml", "/etc/elab/override.yml"],
      service: "web",
    });
    expect(composeLabelsOf({ "com.docker.compose.service": "web" })).toBeNull();
  });
});
