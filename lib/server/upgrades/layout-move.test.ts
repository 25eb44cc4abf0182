import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { releaseTraits } from "../instances/elabftw-releases";
import { applyLayoutMove, parseManifest, planLayoutMove, restorePlan, rewriteComposeLayout } from "./layout-move";

const from = releaseTraits("5.6.12")!.layout;
const to = releaseTraits("6.0.0")!.layout;

// The 5.x reference compose file as labs run it: host directories, a published port, comments.
const COMPOSE_5 = `# eLabFTW, unit UMR 1234
services:
  web:
    image: elabftw/elabimg:6.0.0 # pinned
    restart: always
    container_name: elabftw
    environment:
      # database
      DB_HOST: mysql
      DB_PASSWORD: "s3cret"
      ELABFTW_USERID: 101
      USE_INDIGO: false
      SITE_URL: https://elab.example.org
    ports:
      - '443:443' # HTTPS
    healthcheck:
      test: ["CMD", "curl", "-skf", "https://localhost:443/healthcheck"]
    volumes:
      - /var/elabftw/web:/elabftw/uploads
  mysql:
    image: mysql:8.0
    volumes:
      - /var/elabftw/mysql:/var/lib/mysql
  redis:
    image: redis:7 # an extra service, left alone
`;

const old = {
  env: { DB_HOST: "mysql", ELABFTW_USERID: "101", USE_INDIGO: "false", SITE_URL: "https://elab.example.org" },
  mounts: [{ type: "bind", source: "/var/elabftw/web", destination: "/elabftw/uploads" }],
  portBindings: { "443/tcp": [{ hostIp: "", hostPort: "443" }] },
};

describe("the move to the 6.0 layout", () => {
  const move = planLayoutMove(old, from, to, "1002:1002");

  it("plans the new mounts beside the uploads, the port's right-hand side, the ignored variables", () => {
    expect(move.mounts).toEqual([
      { role: "uploads", type: "bind", source: "/var/elabftw/web", target: "/var/lib/elabftw/uploads", created: false },
      {
        role: "exports",
        type: "bind",
        source: "/var/elabftw/exports",
        target: "/var/lib/elabftw/exports",
        created: true,
      },
      { role: "cache", type: "bind", source: "/var/elabftw/cache", target: "/var/cache/elabftw", created: true },
    ]);
    expect(move.ports).toEqual([{ host: "443", from: 443, to: 8080 }]);
    expect(move.removedEnv).toEqual(["ELABFTW_USERID", "USE_INDIGO"]);
    expect(() => planLayoutMove({ ...old, mounts: [] }, from, to, "1002:1002")).toThrow(/nothing is mounted at/);
  });

  it("builds the new container's body from the old one's", () => {
    const body = applyLayoutMove(
      {
        Image: "elabftw/elabimg:6.0.0",
        Env: ["DB_HOST=mysql", "ELABFTW_USERID=101", "USE_INDIGO=false"],
        ExposedPorts: { "443/tcp": {} },
        Healthcheck: { Test: ["CMD-SHELL", "curl -skf https://127.0.0.1:443/healthcheck || exit 1"], Interval: 1e9 },
        HostConfig: {
          Binds: ["/var/elabftw/web:/elabftw/uploads", "/etc/localtime:/etc/localtime:ro"],
          PortBindings: { "443/tcp": [{ HostIp: "", HostPort: "443" }] },
        },
      },
      move,
    );
    expect(body.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(body.HostConfig!.PortBindings).toEqual({ "8080/tcp": [{ HostIp: "", HostPort: "443" }] });
    expect(body.HostConfig!.Binds).toEqual([
      "/etc/localtime:/etc/localtime:ro",
      "/var/elabftw/web:/var/lib/elabftw/uploads",
      "/var/elabftw/exports:/var/lib/elabftw/exports",
      "/var/elabftw/cache:/var/cache/elabftw",
    ]);
    expect(body.User).toBe("1002:1002");
    expect(body.Healthcheck).toEqual({
      Test: ["CMD-SHELL", "curl -skf https://127.0.0.1:8080/healthcheck || exit 1"],
      Interval: 1e9,
    });
    expect(body.HostConfig!.ReadonlyRootfs).toBe(true);
    expect(body.Env).toEqual(["DB_HOST=mysql"]);
  });

  it("rewrites only the service's lines that must change, comments and other services kept", () => {
    const out = rewriteComposeLayout(COMPOSE_5, "web", move);
    const web = parseDocument(out).toJS().services.web;
    expect(web.ports).toEqual(["443:8080"]);
    expect(web.healthcheck.test).toEqual(["CMD", "curl", "-skf", "https://localhost:8080/healthcheck"]);
    expect(web.volumes).toEqual([
      "/var/elabftw/web:/var/lib/elabftw/uploads",
      "/var/elabftw/exports:/var/lib/elabftw/exports",
      "/var/elabftw/cache:/var/cache/elabftw",
    ]);
    expect(web.user).toBe("1002:1002");
    expect(web.read_only).toBe(true);
    expect(web.tmpfs).toEqual(["/run:mode=755,uid=1002,gid=1002,exec,nosuid,nodev,size=64m"]);
    expect(web.environment).toEqual({ DB_HOST: "mysql", DB_PASSWORD: "s3cret", SITE_URL: "https://elab.example.org" });
    for (const kept of [
      "# eLabFTW, unit UMR 1234",
      "# pinned",
      "# database",
      "'443:8080' # HTTPS",
      "redis:7 # an extra service",
    ]) {
      expect(out).toContain(kept);
    }
    // Lines not concerned are byte for byte the same.
    const removed = COMPOSE_5.split("\n").filter((l) => !out.split("\n").includes(l));
    expect(removed).toEqual([
      "      ELABFTW_USERID: 101",
      "      USE_INDIGO: false",
      "      - '443:443' # HTTPS",
      '      test: ["CMD", "curl", "-skf", "https://localhost:443/healthcheck"]',
      "      - /var/elabftw/web:/elabftw/uploads",
    ]);
    // A second pass changes nothing more (a retried commit).
    expect(rewriteComposeLayout(out, "web", move)).toBe(out);
  });

  it("declares the named volumes it adds as external", () => {
    const named = planLayoutMove(
      {
        ...old,
        mounts: [
          { type: "volume", source: "/var/lib/docker/volumes/up/_data", name: "up", destination: "/elabftw/uploads" },
        ],
      },
      from,
      to,
      "101:101",
    );
    const out = rewriteComposeLayout("services:\n  web:\n    image: elabftw/elabimg:6.0.0\n", "web", named);
    const doc = parseDocument(out).toJS();
    expect(doc.services.web.volumes).toEqual([
      "up:/var/lib/elabftw/uploads:nocopy",
      "up-exports:/var/lib/elabftw/exports:nocopy",
      "up-cache:/var/cache/elabftw:nocopy",
    ]);
    expect(doc.volumes).toEqual({
      up: { external: true },
      "up-exports": { external: true },
      "up-cache": { external: true },
    });
  });

  it("pairs the ownership record and restores owners before modes, never a link's mode", () => {
    const records = parseManifest(
      Buffer.from("uploads\0uploads/odd\nname\0uploads/link\0"),
      "0 0 755 directory\n33 33 4755 regular file\n0 0 777 symbolic link\n",
    );
    expect(records[1]).toEqual({ path: "uploads/odd\nname", uid: 33, gid: 33, mode: "4755", link: false });
    const plan = restorePlan(records);
    expect(plan.script.indexOf("chown")).toBeLessThan(plan.script.indexOf("chmod"));
    expect(Object.values(plan.files).map((b) => b.toString())).toEqual([
      "uploads\0uploads/link\0",
      "uploads/odd\nname\0",
      "uploads\0",
      "uploads/odd\nname\0",
    ]);
    expect(() => parseManifest(Buffer.from("a\0b\0"), "0 0 644 regular file\n")).toThrow(/inconsistent/);
  });
});
