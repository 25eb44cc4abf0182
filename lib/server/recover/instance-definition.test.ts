import { describe, expect, it } from "vitest";
import { englishText } from "../../i18n/message";
import { AppError } from "../../errors";
import { repositoryFromKit } from "../repositories/recovery-kit";
import { networkNames, parseInstanceDefinition, recreateBody, volumeNames } from "./instance-definition";

const definition = {
  format: "paillasse-instance/1",
  instance: {
    id: "i1",
    name: "umr-elab",
    unit: "UMR5107",
    siteUrl: "https://elab.old.example",
    elabftwVersion: "5.1.0",
    image: "elabftw/elabimg:5.1.0",
    database: { placement: "container", name: "elabftw", user: "elabftw" },
  },
  web: {
    name: "elabftw",
    image: "elabftw/elabimg:5.1.0",
    createSpec: {
      Image: "elabftw/elabimg:5.1.0",
      Env: ["SITE_URL=https://elab.old.example", "SECRET_KEY=def000abc", "DB_HOST=mysql"],
      Labels: { "com.docker.compose.project": "elab", "com.docker.compose.service": "web", keep: "yes" },
      HostConfig: {
        Binds: ["elab_uploads:/elabftw/uploads", "/etc/elab/cert:/ssl:ro"],
        PortBindings: { "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "443" }] },
        NetworkMode: "elab_net",
      },
      NetworkingConfig: { EndpointsConfig: { elab_net: {}, backend: {} } },
    },
    networks: { elab_net: { aliases: ["web", "0123456789ab"] }, backend: { aliases: [] } },
  },
  database: {
    name: "mysql",
    image: "mysql:8.0",
    createSpec: {
      Image: "mysql:8.0",
      Env: ["MYSQL_PASSWORD=pw"],
      HostConfig: { Mounts: [{ Type: "volume", Source: "elab_mysql", Target: "/var/lib/mysql" }] },
    },
    networks: { elab_net: { aliases: ["mysql"] } },
  },
  compose: {
    service: "web",
    workingDir: "/srv/elab",
    files: [{ path: "/srv/elab/docker-compose.yml", text: "services:\n  web:\n    image: elabftw/elabimg:5.1.0\n" }],
  },
};

describe("instance.json, read back to re-create an instance", () => {
  it("keeps the recorded configuration and applies only what the operator changes", () => {
    const def = parseInstanceDefinition(JSON.stringify(definition), "abcdef0123");
    const body = recreateBody(def.web, { siteUrl: "https://elab.new.example", publishedPort: 8443 });
    expect(body.name).toBe("elabftw");
    expect(body.Env).toEqual(["SECRET_KEY=def000abc", "DB_HOST=mysql", "SITE_URL=https://elab.new.example"]);
    expect(body.Labels).toEqual({ keep: "yes" });
    // Compose's labels stay only when its files were put back on the new host.
    expect(recreateBody(def.web, {}, { keepCompose: true }).Labels).toEqual({
      "com.docker.compose.project": "elab",
      "com.docker.compose.service": "web",
      keep: "yes",
    });
    expect(def.compose?.files).toEqual([expect.objectContaining({ path: "/srv/elab/docker-compose.yml" })]);
    expect(body.HostConfig?.PortBindings).toEqual({ "443/tcp": [{ HostIp: "0.0.0.0", HostPort: "8443" }] });
    expect(body.HostConfig?.NetworkMode).toBe("elab_net");
    expect(Object.keys(body.NetworkingConfig?.EndpointsConfig ?? {})).toEqual(["elab_net"]);
    // The recorded definition itself is left as it was.
    expect(def.web.createSpec.Env).toContain("SITE_URL=https://elab.old.example");
    expect(recreateBody(def.web).Env).toContain("SITE_URL=https://elab.old.example");
    expect(networkNames(def.web)).toEqual(["elab_net", "backend"]);
    expect(volumeNames(def.web)).toEqual(["elab_uploads"]);
    expect(volumeNames(def.database!)).toEqual(["elab_mysql"]);
  });

  it("refuses a file that is not one, and an instance whose database was external", () => {
    const refused = (text: string) => {
      try {
        parseInstanceDefinition(text, "abcdef0123");
      } catch (error) {
        return englishText((error as AppError).message);
      }
      return "accepted";
    };
    expect(refused("{}")).toMatch(/does not hold a readable instance.json/);
    expect(refused("not json")).toMatch(/does not hold a readable instance.json/);
    expect(
      refused(
        JSON.stringify({
          ...definition,
          instance: { ...definition.instance, database: { placement: "external", name: "e", user: "u" } },
          database: null,
        }),
      ),
    ).toMatch(/used an external database server/);
  });
});

describe("a repository read back from its recovery kit", () => {
  it("reads the address, the password (any characters) and the backend's credentials", () => {
    const kit = [
      'Paillasse recovery kit: repository "UMR5107 off-site"',
      "Where: the rest-server rest:https://backup.example.org:8000/umr/ (append-only for these credentials).",
      "  export RESTIC_REPOSITORY='rest:https://backup.example.org:8000/umr/'",
      "  export RESTIC_PASSWORD='it'\\''s \"secret\" $HOME'",
      "  export RESTIC_REST_USERNAME='panel'",
      "  export RESTIC_REST_PASSWORD='p@ss'",
    ].join("\n");
    expect(repositoryFromKit(kit)).toEqual({
      kind: "rest",
      name: "UMR5107 off-site",
      location: "rest:https://backup.example.org:8000/umr/",
      password: `it's "secret" $HOME`,
      restUser: "panel",
      restPassword: "p@ss",
      appendOnly: true,
    });
    expect(
      repositoryFromKit("export RESTIC_REPOSITORY='/srv/backup'\nexport RESTIC_PASSWORD='x'", "host-1"),
    ).toMatchObject({ kind: "host_directory", location: "/srv/backup", hostId: "host-1" });
    expect(() => repositoryFromKit("hello")).toThrow(/no RESTIC_REPOSITORY and RESTIC_PASSWORD/);
    expect(() => repositoryFromKit("export RESTIC_REPOSITORY='sftp:u@h:/r'\nexport RESTIC_PASSWORD='x'")).toThrow(
      /lacks its SSH key or the server's host key/,
    );
    expect(() => repositoryFromKit("export RESTIC_REPOSITORY='ftp://h/r'\nexport RESTIC_PASSWORD='x'")).toThrow(
      /cannot use repositories reached by ftp/,
    );
  });
});
