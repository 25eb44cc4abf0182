import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { smtpMailer } from "../../lib/server/alerts/backup-alerts";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { cancelSchedule, runDueSchedules, scheduleUpgrades } from "../../lib/server/upgrades/schedule";
import { setUnitAlertEmails } from "../../lib/server/units/manage-units";
import { useFreshDatabase } from "../support/fresh-database";
import { startSmtpInbox } from "../support/smtp-inbox";
import { upgradeFixture } from "../support/upgrade-fixture";
import { rootSql } from "../support/elabftw";

const ring = parseKeyRing(generateKeySpec());

/**
 * "Upgrade at 22:00" for three instances, on the real engine: the first is upgraded, the second's
 * migration fails (its database was patched by hand) and is rolled back, the third is not started; the report is mailed (a real SMTP
 * server here) to the unit's alert address and the operator who planned it. And what must be
 * refused: a time in the past, an instance twice, one already scheduled, a cancellation once started.
 */
describe("scheduled upgrades", () => {
  const database = useFreshDatabase("upgrade_schedule", { migrated: true });
  let db: Db;
  let first: Awaited<ReturnType<typeof upgradeFixture>>;
  let second: Awaited<ReturnType<typeof upgradeFixture>>;
  let thirdId: string;
  let smtp: Awaited<ReturnType<typeof startSmtpInbox>>;

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    smtp = await startSmtpInbox();
    [first, second] = await Promise.all([
      upgradeFixture(db, ring, "sched-a", { healthTimeoutMs: 12_000 }),
      upgradeFixture(db, ring, "sched-b", { healthTimeoutMs: 12_000, unitCode: "UMR9301" }),
    ]);
    const unit = await db.instance.findUniqueOrThrow({ where: { id: first.instanceId }, select: { unitId: true } });
    await setUnitAlertEmails(db, first.actor, unit.unitId, "labo-it@unit.example", first.context);
    // The third is never started: an inventory row is enough to show that nothing touches it.
    const a = await db.instance.findUniqueOrThrow({ where: { id: first.instanceId } });
    thirdId = (
      await db.instance.create({
        data: {
          name: "sched-c",
          unitId: a.unitId,
          webHostId: a.webHostId,
          webContainerName: "sched-c-web",
          databasePlacement: "container",
          databaseHostId: a.webHostId,
          databaseContainerName: "sched-c-db",
          imageTag: "5.0.4",
          elabftwVersion: "5.0.4",
          siteUrl: "https://c.unit.example",
          uploadsKind: "volume",
          uploadsSource: "sched-c-uploads",
        },
      })
    ).id;
  }, 240_000);

  afterAll(async () => {
    await Promise.all([first?.cleanUp(), second?.cleanUp()]);
    await smtp?.close();
    await db?.$disconnect();
  });

  const items = () => [
    { instanceId: first.instanceId, version: "5.1.0" },
    { instanceId: second.instanceId, version: "5.1.0" },
    { instanceId: thirdId, version: "5.1.0" },
  ];
  const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

  it("refuses a bad time, a repeated or unknown instance, a version that is not newer: nothing scheduled", async () => {
    const cases: [Parameters<typeof scheduleUpgrades>[2], RegExp][] = [
      [{ runAt: "tonight", items: items() }, /not a date and time/],
      [{ runAt: new Date(Date.now() - 60_000).toISOString(), items: items() }, /at least a minute from now/],
      [{ runAt: new Date(Date.now() + 100 * 24 * 3600_000).toISOString(), items: items() }, /within 90 days/],
      [{ runAt: inAnHour(), items: [] }, /Choose between 1 and 50 instances/],
      [{ runAt: inAnHour(), items: [items()[0]!, items()[0]!] }, /listed twice/],
      [
        { runAt: inAnHour(), items: [{ instanceId: first.instanceId, version: "5.0.4" }] },
        /upgraded-sched-a: 5\.0\.4 is not newer/,
      ],
      [{ runAt: inAnHour(), items: [{ instanceId: "nope", version: "5.1.0" }] }, /not in the inventory/],
    ];
    for (const [input, message] of cases) {
      await expect(scheduleUpgrades(db, first.actor, input, first.context)).rejects.toThrow(message);
    }
    expect(await db.upgradeSchedule.count()).toBe(0);
  });

  it("a schedule can be cancelled until it starts, and an instance is in one schedule at a time", async () => {
    const id = await scheduleUpgrades(
      db,
      first.actor,
      { runAt: inAnHour(), items: items().slice(0, 1) },
      first.context,
    );
    await expect(
      scheduleUpgrades(db, first.actor, { runAt: inAnHour(), items: items().slice(0, 1) }, first.context),
    ).rejects.toThrow(/upgraded-sched-a is already in a scheduled upgrade/);
    await cancelSchedule(db, first.actor, id, first.context);
    expect((await db.upgradeSchedule.findUniqueOrThrow({ where: { id } })).state).toBe("cancelled");
    await expect(cancelSchedule(db, first.actor, id, first.context)).rejects.toThrow(
      /can no longer be cancelled: it is cancelled/,
    );
    // Not due, and cancelled: nothing runs.
    expect(
      await runDueSchedules(db, ring, { execute: first.options as never, mailer: null, panelUrl: "https://panel" }),
    ).toBe(0);
    expect(await db.operation.count()).toBe(0);
  });

  it("runs at its time, one at a time; stops at the first failure; mails the report", async () => {
    // Out of band, someone patched the second one's database by hand: a column that 5.1.0's migrations
    // add already exists, so its db:update fails halfway (and the upgrade rolls back).
    await rootSql(second.engine, second.mysql, "ALTER TABLE teams ADD common_template_md TEXT NULL", second.schema);
    const beforeSecond = await second.state();
    // Planned for a minute from now; the runner is asked as if that minute had passed.
    const runAt = new Date(Date.now() + 61_000);
    const id = await scheduleUpgrades(
      db,
      first.actor,
      {
        runAt: runAt.toISOString(),
        items: items(),
      },
      first.context,
    );
    const options = {
      execute: first.options,
      mailer: smtpMailer(`smtp://127.0.0.1:${smtp.port}`, "paillasse@panel.example"),
      panelUrl: "https://panel.example",
    };
    // Not due yet: nothing happens.
    expect(await runDueSchedules(db, ring, options)).toBe(0);
    expect(await runDueSchedules(db, ring, { ...options, now: () => new Date(runAt.getTime() + 1_000) })).toBe(1);

    const done = await db.upgradeSchedule.findUniqueOrThrow({ where: { id } });
    expect(done.state).toBe("stopped");
    expect((done.items as { name: string; outcome: string }[]).map((i) => `${i.name}: ${i.outcome}`)).toEqual([
      "upgraded-sched-a: succeeded",
      "upgraded-sched-b: rolled_back",
      "sched-c: not_started",
    ]);
    expect((await first.state()).image).toBe("elabftw/elabimg:5.1.0");
    expect(await second.state()).toEqual(beforeSecond);
    expect(await db.operation.count({ where: { instanceId: thirdId } })).toBe(0);
    const ops = await db.operation.findMany({
      orderBy: { createdAt: "asc" },
      select: { instanceId: true, startedAt: true, finishedAt: true },
    });
    expect(ops.map((o) => o.instanceId)).toEqual([first.instanceId, second.instanceId]);
    // One at a time: the second started after the first had ended.
    expect(ops[1]!.startedAt!.getTime()).toBeGreaterThanOrEqual(ops[0]!.finishedAt!.getTime());

    // The report: the unit's address (in French) and the operator who planned it.
    expect(done.mailedAt).not.toBeNull();
    const all = smtp.inbox.flatMap((m) => m.to).sort();
    expect(all).toEqual([first.actor.email, "labo-it@unit.example"].sort());
    const fr = smtp.inbox.find((m) => m.to.includes("labo-it@unit.example"))!;
    expect(fr.subject).toBe("[Paillasse] Mise à jour planifiée arrêtée : 1 sur 3 mises à jour");
    expect(fr.text).toContain("upgraded-sched-a : mise à jour de 5.0.4 vers 5.1.0.");
    expect(fr.text).toContain("upgraded-sched-b : la mise à jour vers 5.1.0 a échoué et a été annulée");
    expect(fr.text).toContain("sched-c : non commencée");
    expect(fr.text).toMatch(/https:\/\/panel\.example\/operations\/[0-9a-f-]{36}/);
    await expect(cancelSchedule(db, first.actor, id, first.context)).rejects.toThrow(/it is stopped/);
    // Its audit trail: planned, started, ended.
    const actions = (await db.auditEvent.findMany({ where: { targetId: id }, orderBy: { id: "asc" } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(["upgrade.schedule", "upgrade.schedule_start", "upgrade.schedule_end"]);
  }, 300_000);
});
