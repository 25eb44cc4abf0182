import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { stopContainer, type DockerClient } from "../../lib/docker";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { createHost } from "../../lib/server/hosts/manage-hosts";
import { QUEUES, startJobs, type Jobs } from "../../lib/server/jobs/jobs";
import { collectMetrics } from "../../lib/server/metrics/metrics";
import { BUSYBOX, TEST_REGISTRY, testEngine } from "../support/docker";
import { useFreshDatabase } from "../support/fresh-database";
import { instanceFixture, type InstanceFixture } from "../support/instance-fixture";
import { englishText, type Wording } from "../../lib/i18n/message";

const ring = parseKeyRing(generateKeySpec());
const context = { ip: "10.0.0.7", userAgent: "vitest" };

/**
 * An instance stopped by hand, with no page opened: the background
 * observation that follows each host snapshot must tell the dashboard's data
 * and the metrics. The test asks for the snapshot job itself (as the
 * schedule does every minute), never for the observation.
 */
describe("instances observed in the background", () => {
  const database = useFreshDatabase("observation", { migrated: true });
  let f: InstanceFixture | undefined;
  let db: Db;
  let engine: DockerClient;
  let web: string;
  let jobs: Jobs | undefined;
  const log: string[] = [];
  let instanceId: string;
  let cutId: string;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    engine = await testEngine();
    f = await instanceFixture(db, ring, {
      label: "observe",
      name: "watched",
      email: "observe@unit.example",
      image: "elabftw/elabimg:5.0.4",
      unitCode: "UMR9200",
      unitName: "Observed",
      hostName: "engine",
      uploadsVolume: false,
      engine,
    });
    ({ web, instanceId } = f);
    const { actor, unitId } = f;
    // An instance on a host that is gone: said unreachable, its host not tried once per instance.
    const gone = await createHost(
      db,
      ring,
      actor,
      { kind: "socket", name: "gone", socketPath: "/tmp/pl-no-such.sock" },
      context,
    );
    cutId = (
      await db.instance.create({
        data: {
          name: "cut-off",
          unitId,
          webHostId: gone,
          webContainerName: "elabftw",
          databasePlacement: "external",
          databaseAddress: "db.unit.example",
          imageTag: "5.0.4",
          siteUrl: "https://cut.unit.example",
          uploadsKind: "volume",
          uploadsSource: "uploads",
          state: "running",
          health: "ok",
        },
      })
    ).id;
  }, 180_000);

  afterAll(async () => {
    await jobs?.stop();
    await f?.cleanUp();
    await db?.$disconnect();
  });

  const state = async (id: string) =>
    db.instance.findUniqueOrThrow({ where: { id }, select: { state: true, health: true, observedAt: true } });
  const upSample = (metrics: string, name: string) =>
    new RegExp(`^paillasse_instance_up\\{[^}]*instance="${name}"[^}]*\\} (\\d)$`, "m").exec(metrics)?.[1];

  it("says stopped, on the dashboard's data and in the metrics, after a web container is stopped by hand", async () => {
    // Never observed so far: the inventory only knows what adoption saw.
    await db.instance.update({ where: { id: instanceId }, data: { observedAt: null, state: "unknown" } });
    jobs = await startJobs({
      databaseUrl: database.url,
      ring,
      log: (l) => log.push(l),
      helperImages: [BUSYBOX],
      registry: { url: TEST_REGISTRY },
    });
    // The first snapshot at start is followed by an observation of every instance.
    await expect.poll(async () => (await state(instanceId)).state, { timeout: 60_000, interval: 500 }).toBe("running");
    expect((await state(instanceId)).health).toBe("ok");
    expect(await state(cutId)).toMatchObject({ state: "unreachable", health: "unknown" });
    const before = await collectMetrics(db);
    expect(upSample(before, "watched")).toBe("1");
    expect(upSample(before, "cut-off")).toBe("0");
    const firstSeen = (await state(instanceId)).observedAt!;

    // Out of band, as an admin over SSH would.
    await stopContainer(engine, web);
    // The next scheduled snapshot (the schedule's job, asked for now rather than in a minute).
    await jobs.boss.send(QUEUES.hostSnapshots, {});
    await expect.poll(async () => (await state(instanceId)).state, { timeout: 60_000, interval: 500 }).toBe("stopped");
    const after = await state(instanceId);
    expect(after.observedAt!.getTime()).toBeGreaterThan(firstSeen.getTime());
    expect(upSample(await collectMetrics(db), "watched")).toBe("0");
    const observation = (await db.instance.findUniqueOrThrow({ where: { id: instanceId } })).observation as {
      problems: Wording[];
    };
    expect(observation.problems.map(englishText).join(" ")).toMatch(new RegExp(`The web container ${web} is exited`));
  });

  it("leaves an instance held by an operation to that operation", async () => {
    await db.instance.update({ where: { id: instanceId }, data: { state: "running", health: "ok" } });
    const operation = await db.operation.create({
      data: { kind: "backup", instanceId, state: "running", params: {} },
    });
    await db.instance.update({ where: { id: instanceId }, data: { activeOperationId: operation.id } });
    const stamp = (await state(instanceId)).observedAt!;
    await jobs!.boss.send(QUEUES.hostSnapshots, {});
    // The snapshot ran (the host row moved on), the held instance was not touched.
    await expect
      .poll(
        async () => (await db.dockerHost.findFirstOrThrow({ where: { name: "engine" } })).lastSnapshotAt!.getTime(),
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toBeGreaterThan(stamp.getTime());
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await state(instanceId)).toMatchObject({ state: "running", health: "ok", observedAt: stamp });
  });
});
