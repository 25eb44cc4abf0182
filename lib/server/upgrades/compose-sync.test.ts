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
