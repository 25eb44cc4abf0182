import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBackupAlerts, findUndeliveredAlerts, smtpMailer } from "../../lib/server/alerts/backup-alerts";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { startSmtpInbox, type ReceivedMail } from "../support/smtp-inbox";
import { refusal } from "../support/refusal";
import { setUnitAlertEmails } from "../../lib/server/units/manage-units";
import { asMessage, msg } from "../../lib/i18n/message";

const context = { ip: "10.0.0.7", userAgent: "vitest" };

/** Backup alerts through a real SMTP server started here: one mail per incident, one on recovery. */
describe("backup alerts by e-mail", () => {
  const database = useFreshDatabase("backup_alerts", { migrated: true });
  let db: Db;
  let smtp: Awaited<ReturnType<typeof startSmtpInbox>>;
  let port: number;
  let instanceId: string;
  let inbox: ReceivedMail[] = [];

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    smtp = await startSmtpInbox();
    port = smtp.port;
    inbox = smtp.inbox;

    const host = await db.dockerHost.create({ data: { name: "h", kind: "socket", address: "/run/none.sock" } });
    const unit = await db.unit.create({
      data: { code: "UMR9400", name: "Alerts", alertEmails: ["labo-it@unit.example"] },
    });
    const other = await db.unit.create({ data: { code: "UMR9401", name: "Other" } });
    instanceId = (
      await db.instance.create({
        data: {
          name: "alerting",
          unitId: unit.id,
          webHostId: host.id,
          webContainerName: "elabftw",
          databasePlacement: "container",
          imageTag: "5.1.0",
          siteUrl: "https://elab.unit.example",
          uploadsKind: "volume",
          uploadsSource: "uploads",
        },
      })
    ).id;
    const ops = await operatorWithKey(db, "ops@unit.example", "operator");
    // Mails go out in each reader's language: this operator chose English; the others read French.
    await db.operator.update({ where: { id: ops.id }, data: { locale: "en" } });
    const cle = await operatorWithKey(db, "cle@unit.example", "correspondant");
    await db.unitMembership.create({ data: { operatorId: cle.id, unitId: unit.id } });
    const otherCle = await operatorWithKey(db, "other-cle@unit.example", "correspondant");
    await db.unitMembership.create({ data: { operatorId: otherCle.id, unitId: other.id } });
    const gone = await operatorWithKey(db, "gone@unit.example", "operator");
    await db.operator.update({ where: { id: gone.id }, data: { disabledAt: new Date() } });
  });
  afterAll(async () => {
    await smtp.close();
    await db?.$disconnect();
  });

  const check = (now = new Date()) =>
    checkBackupAlerts(db, smtpMailer(`smtp://127.0.0.1:${port}`, "Paillasse <paillasse@unit.example>"), {
      now,
      panelUrl: "https://paillasse.unit.example",
    });

  it("mails the unit, its correspondants and the operators once when backups fail, then once on recovery", async () => {
    await db.backup.create({
      data: {
        instanceId,
        trigger: "scheduled",
        status: "failed",
        error: "Dump the database and archive the uploads: The database dump failed: mysqldump exited with code 2.",
        // As the journal stores it: the step's title and the error's message id with its values.
        errorText: msg`${asMessage("Dump the database and archive the uploads")}: ${msg`The database dump failed: ${"mysqldump exited with code 2"}${""}.`}`,
      },
    });
    expect((await check()).alerts).toEqual([instanceId]);
    // The unit's address, its correspondant, the active operators; not another unit's correspondant, not a
    // disabled account. One mail per language: French for the unit's address and the correspondant.
    expect(inbox).toHaveLength(2);
    const english = inbox.find((m) => m.to.includes("ops@unit.example"))!;
    const french = inbox.find((m) => m.to.includes("cle@unit.example"))!;
    expect(english).toMatchObject({
      to: ["ops@unit.example"],
      subject: "[Paillasse] Backups failing: alerting (UMR9400)",
    });
    expect(french).toMatchObject({
      to: ["cle@unit.example", "labo-it@unit.example"],
      subject: "[Paillasse] Sauvegardes en échec : alerting (UMR9400)",
    });
    expect(english.text).toContain(
      "Backup failed: Dump the database and archive the uploads: The database dump failed: mysqldump exited with code 2",
    );
    expect(english.text).toContain("https://paillasse.unit.example/backups");
    // The reason in the reader's language too (the step's title stays as journaled).
    expect(french.text).toContain(
      "La dernière sauvegarde a échoué. Motif donné par le panneau : Échec de la sauvegarde : Dump the database and archive the uploads : L'export de la base a échoué : mysqldump exited with code 2.",
    );
    expect(french.text).toContain("Que faire : ouvrez https://paillasse.unit.example/backups");
    // Still failing: no second mail.
    await db.backup.create({ data: { instanceId, trigger: "scheduled", status: "failed", error: "again" } });
    expect((await check()).alerts).toEqual([]);
    expect(inbox).toHaveLength(2);
    // A good, verified backup: one recovery mail.
    await db.backup.create({
      data: {
        instanceId,
        trigger: "manual",
        status: "succeeded",
        finishedAt: new Date(),
        verificationStatus: "passed",
      },
    });
    expect((await check()).recoveries).toEqual([instanceId]);
    expect(inbox).toHaveLength(4);
    expect(
      inbox
        .slice(2)
        .map((m) => m.subject)
        .sort(),
    ).toEqual([
      "[Paillasse] Backups back to normal: alerting (UMR9400)",
      "[Paillasse] Sauvegardes revenues à la normale : alerting (UMR9400)",
    ]);
    expect((await check()).recoveries).toEqual([]);
    const audit = await db.auditEvent.findMany({ where: { action: "alert.backup" } });
    expect(audit).toHaveLength(2);
  });

  it("mails a stale instance, and tries again when the mail server refuses, saying so once, not at every check", async () => {
    const twoDaysLater = new Date(Date.now() + 48 * 3600_000);
    const lines: string[] = [];
    const logged = (mailer: Parameters<typeof checkBackupAlerts>[1]) =>
      checkBackupAlerts(db, mailer, {
        now: twoDaysLater,
        panelUrl: "https://paillasse.unit.example",
        log: (l) => lines.push(l),
      });
    // No mail server at all: one line, however many checks; the Settings page lists what waits.
    expect((await logged(null)).failed).toEqual([instanceId]);
    expect((await logged(null)).failed).toEqual([instanceId]);
    expect(lines.filter((l) => l.startsWith("Not mailed"))).toHaveLength(1);
    expect(await findUndeliveredAlerts(db)).toMatchObject([
      { mail: "alert", reason: "no_mail_server", subject: "[Paillasse] Backups stale: alerting (UMR9400)" },
    ]);
    smtp.refuse(true);
    const mailer = smtpMailer(`smtp://127.0.0.1:${port}`, "Paillasse <paillasse@unit.example>");
    const refused = await logged(mailer);
    expect(refused.failed).toEqual([instanceId]);
    expect((await logged(mailer)).failed).toEqual([instanceId]);
    expect(lines.filter((l) => l.startsWith("The alert could not be mailed"))).toHaveLength(1);
    expect(await findUndeliveredAlerts(db)).toMatchObject([{ mail: "alert", reason: "send_failed" }]);
    expect(inbox).toHaveLength(4);
    smtp.refuse(false);
    const sent = await check(twoDaysLater);
    expect(sent.alerts).toEqual([instanceId]);
    expect(await findUndeliveredAlerts(db)).toEqual([]);
    expect(inbox).toHaveLength(6);
    const english = inbox.slice(4).find((m) => m.to.includes("ops@unit.example"))!;
    const french = inbox.slice(4).find((m) => m.to.includes("cle@unit.example"))!;
    expect(english.subject).toBe("[Paillasse] Backups stale: alerting (UMR9400)");
    expect(english.text).toMatch(/The newest good backup is 4\d hours old \(more than 36 hours\)/);
    expect(french.subject).toBe("[Paillasse] Sauvegardes trop anciennes : alerting (UMR9400)");
    expect(french.text).toMatch(/La dernière bonne sauvegarde date de 4\d heures \(plus de 36 heures\)/);
  });

  it("a unit's alert addresses are checked, deduplicated, and audited", async () => {
    const actor = await operatorWithKey(db, "admin-alerts@unit.example", "admin");
    const who = { id: actor.id, email: actor.email, securityKeyId: actor.keyId };
    const unit = await db.unit.findUniqueOrThrow({ where: { code: "UMR9400" } });
    const bad = await refusal(setUnitAlertEmails(db, who, unit.id, "labo-it@unit.example\nnot an address", context));
    expect(bad.message).toBe("Alert addresses must be e-mail addresses, one per line.");
    expect((await db.unit.findUniqueOrThrow({ where: { id: unit.id } })).alertEmails).toEqual(["labo-it@unit.example"]);
    expect(
      await setUnitAlertEmails(
        db,
        who,
        unit.id,
        "Labo-IT@unit.example, dsi@unit.example\nlabo-it@unit.example",
        context,
      ),
    ).toEqual(["labo-it@unit.example", "dsi@unit.example"]);
    expect((await db.auditEvent.findFirstOrThrow({ where: { action: "unit.alert_emails" } })).params).toEqual({
      code: "UMR9400",
      count: 2,
    });
  });
});
