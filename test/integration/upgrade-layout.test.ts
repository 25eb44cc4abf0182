import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { inspectContainer, listVolumes, startContainer, stopContainer } from "../../lib/docker";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { executeOperation } from "../../lib/server/operations/execute";
import { healthFromInside } from "../../lib/server/instances/observe";
import { requestUpgrade } from "../../lib/server/upgrades/upgrade";
import { previewUpgradePlan } from "../../lib/server/upgrades/plan-preview";
import { englishText } from "../../lib/i18n/message";
import { waitHealthy } from "../support/elabftw";
import { useFreshDatabase } from "../support/fresh-database";
import { upgradeFixture } from "../support/upgrade-fixture";

const ring = parseKeyRing(generateKeySpec());

/**
 * The move from 5.x to 6.0 (update-6.md) on the real engine: the container re-created with the 6.0
 * layout (port 8080, data under /var/lib/elabftw, a cache, a uid:gid, read-only root, /run in memory,
 * ignored variables gone), the data given to that user, the compose file rewritten; and, when the
 * migration fails halfway, everything back: the old container, the database, and the data's owners
 * and modes exactly as they were. The uploads are messy on purpose (root-owned, set-uid, set-gid
 * directory of another group, links, a dangling link, a line break in a name).
 */
describe("upgrades to a release with another container layout (5.x → 6.0)", () => {
  const database = useFreshDatabase("upgrade_layout", { migrated: true });
  let db: Db;
  let f: Awaited<ReturnType<typeof upgradeFixture>>;

  async function upgrade(toTag: string, runAs?: string) {
    const operationId = await f.queue(toTag, runAs);
    const outcome = await executeOperation(db, ring, operationId, f.options);
    const operation = await db.operation.findUniqueOrThrow({
      where: { id: operationId },
      include: { steps: { orderBy: { position: "asc" } }, logs: { orderBy: { id: "asc" } } },
    });
    return { operationId, outcome, operation, log: operation.logs.map((l) => l.message).join("\n") };
  }
  const paillasseVolumes = async () =>
    (await listVolumes(f.engine))
      .map((v) => v.name)
      .filter((n) => /paillasse-owners-|-exports$|-cache$/.test(n))
      .sort();

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    f = await upgradeFixture(db, ring, "layout", {
      healthTimeoutMs: 12_000,
      messy: true,
      env: { USE_INDIGO: "false", ELABFTW_USERID: "101" },
    });
  }, 180_000);

  afterAll(async () => {
    await f?.cleanUp();
    await db?.$disconnect();
  });

  it("refuses a uid:gid that is not one, or root, before creating anything", async () => {
    for (const [runAs, message] of [
      ["elabftw-worker", /not a uid:gid such as 1002:1002/],
      ["1002", /not a uid:gid/],
      ["0:0", /unprivileged user, not as root/],
    ] as const) {
      await expect(
        requestUpgrade(db, f.actor, { instanceId: f.instanceId, version: "6.0.0", runAs }, f.context),
      ).rejects.toThrow(message);
    }
    expect(await db.operation.count({ where: { kind: "upgrade" } })).toBe(0);
  });

  it("previews the plan before the key touch (chown, broken link, compose diff, risks), changing nothing", async () => {
    const before = await f.state();
    const owners = await f.owners();
    const compose = readFileSync(f.composeFile, "utf8");
    const input = { instanceId: f.instanceId, version: "6.0.0", runAs: "1002:1002" };
    const preview = await previewUpgradePlan(db, ring, input, f.options.upgrade);
    // Nothing in the uploads belongs to 1002:1002 yet: every entry (the directory itself included) is counted.
    expect(preview.chown).toEqual({ toChown: owners.split("\0").filter(Boolean).length, absoluteLinks: 1 });
    expect(preview.compose).toMatchObject({ file: f.composeFile });
    const lines = preview.compose && "hunks" in preview.compose ? preview.compose.hunks.flatMap((h) => h.lines) : [];
    expect(lines).toContain("-    image: elabftw/elabimg:5.0.4 # pinned: upgrade with Paillasse");
    expect(lines).toContain("+    image: elabftw/elabimg:6.0.0 # pinned: upgrade with Paillasse");
    expect(lines.filter((l) => l.startsWith("+") && l.includes("1002:1002"))).toHaveLength(1);
    expect(lines).toContain("+    read_only: true");
    // The other service and the comments are context at most, never changed.
    expect(lines.filter((l) => /^[-+].*mysql/.test(l))).toEqual([]);
    expect(preview.risks.map((r) => `${r.level}: ${englishText(r.text)}`)).toEqual([
      "warn: The database server is MySQL 8.0.40; eLabFTW 6.0.0's reference compose file runs MySQL 8.4.",
    ]);
    expect(preview.downtime).toBeNull();
    // The pre-flight's other refusals, read the same way: a web host short of space, a database that does not answer.
    const short = await previewUpgradePlan(db, ring, input, { minFreeBytes: 2 ** 60 });
    expect(short.risks.map((r) => `${r.level}: ${englishText(r.text)}`)).toContainEqual(
      expect.stringMatching(/^block: Only \d+\.\d GiB free in \/\S+ on the web host; 1073741824 GiB are needed\.$/),
    );
    await stopContainer(f.engine, f.mysql.container, 10);
    try {
      const unreachable = await previewUpgradePlan(db, ring, input, f.options.upgrade);
      expect(unreachable.risks.filter((r) => r.level === "block").map((r) => englishText(r.text))).toEqual([
        expect.stringMatching(/^The database server does not answer the panel: /),
      ]);
    } finally {
      await startContainer(f.engine, f.mysql.container);
      await waitHealthy(f.engine, f.mysql.container, 60_000);
    }
    expect(await f.state()).toEqual(before);
    expect(await f.owners()).toBe(owners);
    expect(readFileSync(f.composeFile, "utf8")).toBe(compose);
    expect(await db.operation.count({ where: { kind: "upgrade" } })).toBe(0);
  }, 60_000);

  it("a migration that fails halfway puts back the old layout, the database and every owner and mode", async () => {
    const before = await f.state();
    const owners = await f.owners();
    const volumesBefore = await paillasseVolumes();
    const compose = readFileSync(f.composeFile, "utf8");
    const { outcome, operation, log } = await upgrade("6.0.0-fault-migration", "1002:1002");
    expect(outcome).toBe("rolled_back");
    expect(operation.error).toMatch(/^Migrate the database schema: bin\/console db:update failed/);
    // The data was given to 1002:1002 (every messy entry), then given back.
    expect(log).toMatch(/Gave (\d+) entries of the data to 1002:1002/);
    const gave = Number(/Gave (\d+) entries/.exec(log)![1]);
    expect(gave).toBeGreaterThanOrEqual(8);
    expect(log).toContain(`Put back the owners and modes of ${gave} entries of the data.`);
    // Said before anything changed: how many entries the move would give, and the link it would break.
    expect(log).toContain(
      `Planned: ${gave - 2} entries of the uploads are not owned by 1002:1002 and will be given to it.`,
    );
    expect(log).toMatch(/1 symbolic link\(s\) in the uploads point into \/elabftw\/uploads by an absolute path/);
    // 6.0's console ran its down script by itself; the panel still loads the dump taken at the stop.
    expect(log).toMatch(/Failed to apply schema221\.sql\. Rolling back with schema221-down\.sql\./);
    expect(await f.state()).toEqual(before);
    expect(await f.owners()).toBe(owners);
    const web = await inspectContainer(f.engine, f.web);
    expect(web.exposedPorts).toContain("443/tcp");
    expect(web.user).toBe("");
    expect(web.env.USE_INDIGO).toBe("false");
    // No record, no volume made for the new layout, the compose file untouched.
    expect(await paillasseVolumes()).toEqual(volumesBefore);
    expect(readFileSync(f.composeFile, "utf8")).toBe(compose);
  }, 300_000);

  it("moves to 6.0: new layout, data owned by the chosen user, modes kept, compose file rewritten", async () => {
    const before = await f.state();
    const ownersBefore = await f.owners();
    const { outcome, operation, log } = await upgrade("6.0.0", "1002:1002");
    expect(operation.error).toBeNull();
    expect(outcome).toBe("succeeded");
    const web = await inspectContainer(f.engine, f.web);
    expect(web.image).toBe("elabftw/elabimg:6.0.0");
    expect(web.user).toBe("1002:1002");
    expect(web.exposedPorts).toContain("8080/tcp");
    expect(web.exposedPorts).not.toContain("443/tcp");
    expect(web.createSpec.HostConfig?.ReadonlyRootfs).toBe(true);
    expect(web.createSpec.HostConfig?.Tmpfs?.["/run"]).toBe("mode=755,uid=1002,gid=1002,exec,nosuid,nodev,size=64m");
    expect(web.mounts.map((m) => m.destination).sort()).toEqual([
      "/var/cache/elabftw",
      "/var/lib/elabftw/exports",
      "/var/lib/elabftw/uploads",
    ]);
    // The ignored variables are gone (names only in the journal), the others stay.
    expect(web.env.USE_INDIGO).toBeUndefined();
    expect(web.env.ELABFTW_USERID).toBeUndefined();
    expect(web.env.SITE_URL).toBeDefined();
    expect(log).toContain("removed: ELABFTW_USERID, USE_INDIGO");
    expect(log).toContain("eLabFTW, as 1002:1002, can write to");
    // The panel reaches it on its new port.
    expect((await healthFromInside(f.engine, web)).verdict).toBe("ok");
    const after = await f.state();
    // (The uploads table itself changes: migrations add columns to it.)
    expect(after.uploads).toBe(before.uploads);
    expect(after.schema).toBe(223);
    // Every entry now belongs to 1002:1002; modes as they were, but for the set-uid bit chown clears.
    const rows = (await f.owners()).split("\0").filter(Boolean);
    const old = new Map(
      ownersBefore
        .split("\0")
        .filter(Boolean)
        .map((l) => [l.split(" ").slice(2).join(" "), l]),
    );
    for (const row of rows) {
      const [owner, mode, ...rest] = row.split(" ");
      expect(owner, row).toBe("1002:1002");
      const was = old.get(rest.join(" "))!.split(" ")[1]!;
      expect(mode, row).toBe(rest.join(" ").endsWith("./tool") ? (Number.parseInt(was, 8) & 0o777).toString(8) : was);
    }
    expect(rows.length).toBe(old.size);
    // The compose file follows, comments kept, and a record of the former owners is gone.
    const text = readFileSync(f.composeFile, "utf8");
    expect(text).toContain("# pinned: upgrade with Paillasse");
    const service = parseDocument(text).toJS().services.web;
    expect(service.image).toBe("elabftw/elabimg:6.0.0");
    expect(service.user).toBe("1002:1002");
    expect(service.read_only).toBe(true);
    expect(service.tmpfs).toEqual(["/run:mode=755,uid=1002,gid=1002,exec,nosuid,nodev,size=64m"]);
    expect(service.volumes).toHaveLength(3);
    expect((await listVolumes(f.engine)).some((v) => v.name.startsWith("paillasse-owners-"))).toBe(false);
  }, 300_000);
});
