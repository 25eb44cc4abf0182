import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { panelHealth } from "../../lib/server/health/panel-health";
import { useFreshDatabase } from "../support/fresh-database";

describe("the panel's own health", () => {
  const database = useFreshDatabase("health", { migrated: true });
  let db: Db;
  beforeAll(() => {
    db = createPrismaClient(database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("is down without the job queue, and when host snapshots stopped; up otherwise", async () => {
    expect(await panelHealth(db)).toEqual({
      up: false,
      problems: ["job queue: its schema is missing (background jobs not started)"],
    });
    // What pg-boss creates when the jobs start.
    await db.$executeRawUnsafe(`CREATE SCHEMA pgboss`);
    await db.$executeRawUnsafe(`CREATE TABLE pgboss.version (version int)`);
    expect(await panelHealth(db)).toEqual({ up: true, problems: [] });
    const host = await db.dockerHost.create({
      data: {
        name: "h",
        kind: "socket",
        address: "/run/docker.sock",
        lastSnapshotAt: new Date(Date.now() - 10 * 60_000),
      },
    });
    expect((await panelHealth(db)).problems).toEqual(["host snapshots: none for 10 min"]);
    await db.dockerHost.update({ where: { id: host.id }, data: { lastSnapshotAt: new Date() } });
    expect((await panelHealth(db)).up).toBe(true);
  });

  it("is down when the database does not answer", async () => {
    const dead = createPrismaClient("postgresql://nobody@127.0.0.1:9/paillasse_test_none");
    const health = await panelHealth(dead);
    expect(health.up).toBe(false);
    expect(health.problems[0]).toMatch(/^database: /);
    await dead.$disconnect();
  });
});
