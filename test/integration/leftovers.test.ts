import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listContainers, type DockerClient } from "../../lib/docker";
import { LEFTOVER_AGE_MS, sweepLeftovers } from "../../lib/server/hosts/leftovers";
import { BUSYBOX, removeTestContainers, TEST_LABEL, testEngine, uniqueName } from "../support/docker";

/**
 * A panel killed mid-operation leaves stopped helpers and scratch volumes on the host. The sweep
 * removes them once they are old enough to belong to no operation still running, and nothing else:
 * not a running helper, not a container or volume of an instance, not a volume still mounted, not
 * restic's cache.
 */
describe("sweeping what a dead panel left on a host", () => {
  let engine: DockerClient;
  const run = uniqueName("leftovers");
  const names = {
    stoppedHelper: `${run}-stopped-helper`,
    runningHelper: `${run}-running-helper`,
    instance: `${run}-web`,
    stageVolume: `${run}-stage`,
    mountedVolume: `${run}-mounted`,
    instanceVolume: `${run}-uploads`,
    cacheVolume: `${run}-restic-cache`,
  };
  const helper = { "net.paillasse.managed": "true", "net.paillasse.helper": "restic-stage", [TEST_LABEL]: run };

  beforeAll(async () => {
    engine = await testEngine();
    await engine.api.createVolume({ Name: names.stageVolume, Labels: helper });
    await engine.api.createVolume({ Name: names.mountedVolume, Labels: helper });
    await engine.api.createVolume({ Name: names.instanceVolume, Labels: { [TEST_LABEL]: run } });
    await engine.api.createVolume({ Name: names.cacheVolume });
    const make = async (name: string, labels: Record<string, string>, cmd: string[], volume?: string) => {
      const c = await engine.api.createContainer({
        name,
        Image: BUSYBOX,
        Cmd: cmd,
        Labels: labels,
        HostConfig: volume ? { Binds: [`${volume}:/data`] } : {},
      });
      await c.start();
      return c;
    };
    await (await make(names.stoppedHelper, { ...helper, "net.paillasse.helper": "restic" }, ["true"])).wait();
    await make(
      names.runningHelper,
      { ...helper, "net.paillasse.helper": "database-client" },
      ["sleep", "600"],
      names.mountedVolume,
    );
    await (await make(names.instance, { [TEST_LABEL]: run }, ["true"], names.instanceVolume)).wait();
  }, 120_000);

  afterAll(async () => {
    await removeTestContainers(engine, run).catch(() => undefined);
    for (const v of Object.values(names).filter(
      (n) => n.startsWith(run) && !n.includes("helper") && n !== names.instance,
    )) {
      await engine.api
        .getVolume(v)
        .remove()
        .catch(() => undefined);
    }
  });

  const containerNames = async () => (await listContainers(engine, { all: true })).map((c) => c.name);
  const volumeNames = async () => ((await engine.api.listVolumes()).Volumes ?? []).map((v) => v.Name);
  const ours = async () => (await listContainers(engine, { all: true })).filter((c) => c.name.startsWith(run));

  it("removes nothing younger than an hour: an operation may still need it", async () => {
    const removed = await sweepLeftovers(engine, await ours(), { volumeLabels: [`${TEST_LABEL}=${run}`] });
    expect(removed).toEqual({ containers: [], volumes: [] });
    expect(await containerNames()).toEqual(expect.arrayContaining([names.stoppedHelper, names.runningHelper]));
    expect(await volumeNames()).toEqual(expect.arrayContaining([names.stageVolume]));
  });

  it("an hour later, removes the stopped helper and the unused scratch volume, and only them", async () => {
    // Only this test's volumes are looked at: other tests' scratch volumes may be in use right now.
    const removed = await sweepLeftovers(engine, await ours(), {
      now: Date.now() + LEFTOVER_AGE_MS + 60_000,
      volumeLabels: [`${TEST_LABEL}=${run}`],
    });
    expect(removed.containers).toEqual([names.stoppedHelper]);
    expect(removed.volumes).toEqual([names.stageVolume]);
    const containers = await containerNames();
    expect(containers).not.toContain(names.stoppedHelper);
    expect(containers).toEqual(expect.arrayContaining([names.runningHelper, names.instance]));
    const volumes = await volumeNames();
    expect(volumes).not.toContain(names.stageVolume);
    expect(volumes).toEqual(expect.arrayContaining([names.mountedVolume, names.instanceVolume, names.cacheVolume]));
  });
});
