import { describe, expect, it } from "vitest";
import type { ContainerDetails } from "../../docker";
import { isElabftwImage, proposeDatabase, splitImageRef, suggestName, type HostView } from "./discovery";

function container(name: string, over: Partial<ContainerDetails> = {}): ContainerDetails {
  return {
    id: name.padEnd(64, "0"),
    name,
    image: "mysql:8.0",
    imageId: "",
    state: { status: "running", running: true, exitCode: 0, startedAt: null, finishedAt: null, health: "none" },
    env: {},
    labels: {},
    cmd: null,
    entrypoint: null,
    workingDir: "",
    user: "",
    healthcheck: null,
    exposedPorts: [],
    mounts: [],
    restartPolicy: { name: "no", maximumRetryCount: 0 },
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    portBindings: {},
    networks: {},
    networkMode: "default",
    createSpec: {},
    ...over,
  };
}

const here: HostView = { id: "h1", name: "web-host", address: "10.0.0.1", containers: [] };

describe("discovery rules", () => {
  it("recognises eLabFTW images under any registry prefix, tag or digest, and by label", () => {
    for (const ref of [
      "elabftw/elabimg:5.0.4",
      "elabftw/elabimg",
      "registry.unit.example:5000/elabftw/elabimg:5.1.0",
      "docker.io/elabftw/elabimg:latest",
      `elabftw/elabimg@sha256:${"a".repeat(64)}`,
    ]) {
      expect(isElabftwImage(ref), ref).toBe(true);
    }
    for (const ref of ["mysql:8.0", "elabftw/elabctl:1", "notelabftw/elabimg:5", "sha256:abc"]) {
      expect(isElabftwImage(ref), ref).toBe(false);
    }
    expect(isElabftwImage("sha256:abc", { "net.elabftw.elabftw-version": "5.0.4" })).toBe(true);
  });

  it("splits image references, registry ports included", () => {
    expect(splitImageRef("registry:5000/elabftw/elabimg:5.0.4")).toEqual({
      repository: "registry:5000/elabftw/elabimg",
      tag: "5.0.4",
    });
    expect(splitImageRef("registry:5000/elabftw/elabimg")).toEqual({
      repository: "registry:5000/elabftw/elabimg",
      tag: "latest",
    });
    expect(splitImageRef(`elabftw/elabimg:5.1.0@sha256:${"b".repeat(64)}`)).toEqual({
      repository: "elabftw/elabimg",
      tag: "5.1.0",
    });
  });

  it("suggests inventory names from the compose project, else the container", () => {
    expect(suggestName("UMR5107_elab", "x")).toBe("umr5107-elab");
    expect(suggestName("elabftw", "elabftw-umr5107")).toBe("elabftw-umr5107");
    expect(suggestName(undefined, "___")).toBe("elabftw");
  });

  it("finds the database by container name, network alias, compose service, or says it is external", () => {
    const web = (env: Record<string, string>, over: Partial<ContainerDetails> = {}) =>
      container("elabftw", {
        image: "elabftw/elabimg:5.0.4",
        env,
        networks: { "elab-net": { aliases: [], ipAddress: "" } },
        ...over,
      });
    const mysql = container("mysql");
    expect(proposeDatabase(web({ DB_HOST: "mysql" }), here, [mysql], [])).toMatchObject({
      placement: "container",
      containerName: "mysql",
    });
    const aliased = container("db-7f3", { networks: { "elab-net": { aliases: ["database"], ipAddress: "" } } });
    expect(proposeDatabase(web({ DB_HOST: "database" }), here, [aliased], [])).toMatchObject({
      containerName: "db-7f3",
      foundBy: expect.stringContaining("network alias"),
    });
    // The same alias on a network the web container is not on does not count.
    const elsewhere = container("db-x", { networks: { other: { aliases: ["database"], ipAddress: "" } } });
    expect(proposeDatabase(web({ DB_HOST: "database" }), here, [elsewhere], [])).toMatchObject({
      placement: "external",
    });
    const service = container("proj-db-1", {
      labels: { "com.docker.compose.project": "proj", "com.docker.compose.service": "db" },
    });
    expect(
      proposeDatabase(
        web({ DB_HOST: "db" }, { labels: { "com.docker.compose.project": "proj" } }),
        here,
        [service],
        [],
      ),
    ).toMatchObject({ containerName: "proj-db-1", foundBy: expect.stringContaining("compose project proj") });
    expect(proposeDatabase(web({}), here, [], [])).toMatchObject({
      placement: "external",
      address: "localhost",
      port: 3306,
    });
    const dbHost: HostView = {
      id: "h2",
      name: "db-host",
      address: "10.0.0.2",
      containers: [
        {
          id: "c",
          name: "mysql",
          image: "mysql:8.0",
          imageId: "",
          state: "running",
          status: "Up",
          labels: {},
          createdAt: new Date(),
          ports: [{ ip: "0.0.0.0", privatePort: 3306, publicPort: 3306, type: "tcp" }],
        },
      ],
    };
    expect(proposeDatabase(web({ DB_HOST: "10.0.0.2" }), here, [], [dbHost])).toMatchObject({
      placement: "container",
      hostId: "h2",
      containerName: "mysql",
    });
    expect(proposeDatabase(web({ DB_HOST: "10.0.0.2", DB_PORT: "3307" }), here, [], [dbHost])).toMatchObject({
      placement: "external",
      port: 3307,
    });
  });
});
