import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import tar from "tar-stream";
import type { KeyRing } from "../../lib/crypto";
import {
  execCapture,
  inspectContainer,
  listContainers,
  listVolumes,
  putArchive,
  removeVolume,
  type DockerClient,
} from "../../lib/docker";
import { ensureBackupIdentity } from "../../lib/server/backups/identity";
import type { Db } from "../../lib/server/db/client";
import { parseDbCheck } from "../../lib/server/instances/elabftw-console";
import { queueUpgrade } from "../../lib/server/upgrades/upgrade";
import { webLayoutOf } from "../../lib/server/instances/elabftw-releases";
import { TEST_REGISTRY } from "./docker";
import { console_, rootSql } from "./elabftw";
import { instanceFixture } from "./instance-fixture";

const context = { ip: "10.0.0.8", userAgent: "vitest" };
export const COMPOSE_FILE = `# eLabFTW of the unit (reference layout)
services:
  web:
    image: elabftw/elabimg:5.0.4 # pinned: upgrade with Paillasse
    restart: unless-stopped
    environment:
      - SITE_URL=https://elab.unit.example
  mysql:
    image: mysql:8.0 # the database
`;
const TABLES = ["config", "experiments", "items", "teams", "uploads", "users"];

/**
 * A 5.0.4 instance on the test engine (restart policy unless-stopped, a
 * network alias, a named uploads volume) with an experiment and two uploads,
 * in the inventory, ready to be upgraded; and what to compare before and
 * after: table checksums, uploads, image, container settings, schema.
 */
export async function upgradeFixture(
  db: Db,
  ring: KeyRing,
  label: string,
  where: {
    unitCode?: string;
    engine?: DockerClient;
    socketPath?: string;
    /** How long a health wait lasts before the upgrade gives up (the fault variants wait for all of it). */
    healthTimeoutMs?: number;
    /** More environment on the web container (variables a later release drops, say). */
    env?: Record<string, string>;
    /** Uploads as a real install has them: owned by root or other users, odd modes, links, odd names. */
    messy?: boolean;
    /** The release it runs before the upgrade (default 5.0.4). */
    from?: string;
    /** More rows in the experiments (HTML bodies, ~4 KiB each): a dump that takes its time. */
    experiments?: number;
  } = {},
) {
  const unitCode = where.unitCode ?? "UMR9300";
  const from = where.from ?? "5.0.4";
  const work = mkdtempSync(path.join(tmpdir(), `paillasse-${label}-`));
  const options = {
    owner: "vitest",
    backup: {
      identityFile: path.join(work, "identity.txt"),
      defaultDir: path.join(work, "backups"),
      healthTimeoutMs: where.healthTimeoutMs ?? 25_000,
    },
    upgrade: { registry: { url: TEST_REGISTRY }, minFreeBytes: 1 },
  };
  await ensureBackupIdentity(options.backup.identityFile);
  // As `docker compose up` would have labelled it: the compose file is on the (local) web host.
  const composeDir = path.join(work, "elabftw");
  mkdirSync(composeDir, { recursive: true });
  const composeFile = path.join(composeDir, "docker-compose.yml");
  writeFileSync(composeFile, COMPOSE_FILE.replace("elabimg:5.0.4", `elabimg:${from}`), { mode: 0o640 });
  const files: Record<string, Buffer> = { "ab/exp.pdf": randomBytes(90_000), "cd/notes.txt": Buffer.from("notes\n") };
  // Entries no eLabFTW wrote, as found on real servers: copied in by root, a set-uid bit, a set-gid
  // directory of another group, links (one dangling), a name with a line break.
  const messy: Parameters<ReturnType<typeof tar.pack>["entry"]>[0][] = where.messy
    ? [
        { name: "uploads/root-only.pdf", mode: 0o600, uid: 0, gid: 0 },
        { name: "uploads/shared", type: "directory", mode: 0o2775, uid: 0, gid: 50 },
        { name: "uploads/shared/a.txt", mode: 0o644, uid: 101, gid: 101 },
        { name: "uploads/tool", mode: 0o4755, uid: 0, gid: 0 },
        { name: "uploads/ab/latest.pdf", type: "symlink", linkname: "exp.pdf", mode: 0o777, uid: 0, gid: 0 },
        { name: "uploads/gone", type: "symlink", linkname: "/nowhere", mode: 0o777, uid: 33, gid: 33 },
        // An absolute link into the 5.x uploads path: it dangles once 6.0 mounts them elsewhere.
        {
          name: "uploads/cd/abs.pdf",
          type: "symlink",
          linkname: "/elabftw/uploads/ab/exp.pdf",
          mode: 0o777,
          uid: 0,
          gid: 0,
        },
        { name: "uploads/odd\nname.txt", mode: 0o640, uid: 33, gid: 33 },
      ]
    : [];
  const f = await instanceFixture(db, ring, {
    label,
    name: `upgraded-${label}`,
    image: `elabftw/elabimg:${from}`,
    unitCode,
    secretKey: "def00000" + "a".repeat(120),
    engine: where.engine,
    socketPath: where.socketPath,
    web: {
      restartPolicy: "unless-stopped",
      aliases: ["elabftw-web"],
      env: where.env,
      labels: {
        "com.docker.compose.project": "elabftw",
        "com.docker.compose.project.working_dir": composeDir,
        "com.docker.compose.project.config_files": composeFile,
        "com.docker.compose.service": "web",
      },
    },
    seedSql: [
      "INSERT INTO experiments (title, body, date, userid) VALUES ('before the upgrade', 'x', CURDATE(), 1);",
      ...(where.experiments
        ? [
            `INSERT INTO experiments (title, body, date, userid) SELECT CONCAT('Experiment ', seq), CONCAT('<h2>Protocol</h2><p>', REPEAT('Buffer <b>A</b> 50 mM, pH 7.4; incubate 30 min at 37 °C. ', 60), '</p>'), CURDATE(), 1 FROM seq_1_to_${where.experiments};`,
          ]
        : []),
      ...Object.entries(files).map(
        ([name, data]) =>
          `INSERT INTO uploads (real_name, long_name, type, userid, filesize, hash) VALUES ('${path.basename(name)}', '${name}', 'experiments', 1, ${data.length}, '${createHash("sha256").update(data).digest("hex")}');`,
      ),
    ],
    seed: async ({ engine, web }) => {
      const pack = tar.pack();
      for (const [name, data] of Object.entries(files)) {
        pack.entry({ name: `uploads/${name}`, mode: 0o640, uid: 101, gid: 101 }, data);
      }
      for (const header of messy) {
        if (header.type) pack.entry(header);
        else pack.entry(header, Buffer.from(`${header.name}\n`));
      }
      pack.finalize();
      await putArchive(engine, web, "/elabftw", pack as unknown as Readable);
    },
  });
  const { engine, run, mysql, schema, web, instanceId, actor } = f;

  async function state() {
    const checksums = Object.fromEntries(
      (await rootSql(engine, mysql, `CHECKSUM TABLE ${TABLES.join(", ")}`, schema)).map(([t, c]) => [
        t!.split(".").pop()!,
        c!,
      ]),
    );
    const container = await inspectContainer(engine, web);
    const uploads = (
      await execCapture(engine, web, {
        // As the container's own user: from 6.0 that user owns the data (root in it may lack the capability to read).
        cmd: ["sh", "-c", 'cd "$0" && find . -type f -exec sha256sum {} + | sort', webLayoutOf(container).uploads],
      })
    ).stdout;
    const serving = (await listContainers(engine, { all: true })).filter((c) => c.name.startsWith(web));
    const check = parseDbCheck((await console_(engine, web, "db:check")).stdout);
    return {
      checksums,
      uploads,
      image: container.image,
      running: container.state.running,
      restartPolicy: container.restartPolicy.name,
      // Aliases we set (the engine adds the container's short id, which changes with the container).
      networks: Object.fromEntries(
        Object.entries(container.networks).map(([n, v]) => [
          n,
          v.aliases.filter((a) => a !== container.id.slice(0, 12)).sort(),
        ]),
      ),
      containers: serving.map((c) => c.name),
      schema: check?.current,
    };
  }

  /** Queue an upgrade of the fixture instance from its release to any tag (fault variants included). */
  const queue = (toTag: string, runAs?: string) =>
    queueUpgrade(
      db,
      actor,
      {
        instanceId,
        name: `upgraded-${label}`,
        repository: "elabftw/elabimg",
        fromTag: from,
        toTag,
        ...(runAs ? { runAs } : {}),
      },
      context,
    );

  /** Every entry of the uploads with its owner, mode and type, as root sees it (links not followed), NUL-separated. */
  async function owners() {
    const container = await inspectContainer(engine, web);
    const result = await execCapture(engine, web, {
      cmd: ["sh", "-c", 'cd "$0" && find . -printf "%U:%G %m %y %p\\0" | sort -z', webLayoutOf(container).uploads],
      user: "0",
    });
    if (result.exitCode !== 0) throw new Error(`listing owners failed: ${result.stderr}`);
    return result.stdout;
  }
  /** The containers and the uploads volume, and the volumes a move to 6.0 made beside it. */
  async function cleanUp() {
    const uploads = (await inspectContainer(engine, web).catch(() => null))?.mounts.find((m) => m.type === "volume");
    await f.cleanUp();
    for (const v of uploads ? await listVolumes(engine) : []) {
      if (v.name === `${uploads!.source}-exports` || v.name === `${uploads!.source}-cache`)
        await removeVolume(engine, v.name).catch(() => undefined);
    }
  }

  return {
    engine,
    run,
    mysql,
    schema,
    web,
    instanceId,
    actor,
    options,
    context,
    state,
    owners,
    queue,
    cleanUp,
    composeFile,
  };
}
