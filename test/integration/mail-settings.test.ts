import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyRing } from "../../lib/crypto";
import { findMailSettings, saveMailSettings, storedMailer } from "../../lib/server/alerts/mail-settings";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { freePort } from "../support/ports";

const ring = parseKeyRing(generateKeySpec());
const context = { ip: "10.0.0.9", userAgent: "vitest" };

/** The alert mail server set from the Settings page: checked, password sealed, used for real. */
describe("mail settings", () => {
  const database = useFreshDatabase("mail_settings", { migrated: true });
  let db: Db;
  let server: SMTPServer;
  let port: number;
  let actor: { id: string; email: string; securityKeyId: string };
  const inbox: { from: string; to: string[]; subject: string; user: string }[] = [];
  const password = "s3cret-smtp-pass";

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const admin = await operatorWithKey(db, "admin@unit.example", "admin");
    actor = { id: admin.id, email: admin.email, securityKeyId: admin.keyId };
    port = await freePort();
    server = new SMTPServer({
      disabledCommands: ["STARTTLS"],
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === "paillasse" && auth.password === password) callback(null, { user: auth.username });
        else callback(new Error("Invalid username or password"));
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            inbox.push({
              from: mail.from?.text ?? "",
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? "",
              user: String(session.user),
            });
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db?.$disconnect();
  });

  const good = () => ({
    host: "127.0.0.1",
    port: String(port),
    security: "none",
    username: "paillasse",
    password,
    from: "Paillasse <paillasse@unit.example>",
  });

  it("refuses bad answers with a clear message and stores nothing", async () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ host: "" }, /mail server's name/],
      [{ host: "smtp unit" }, /not a host name/],
      [{ port: "0" }, /1 to 65535/],
      [{ port: "abc" }, /port is a number/],
      [{ security: "ssl3" }, /TLS, STARTTLS or none/],
      [{ from: "nobody" }, /sender is an address/],
      [{ username: "", password: "x" }, /password without a user name/],
      [{ username: "someone", password: "" }, /user name needs its password/],
    ];
    for (const [change, message] of bad) {
      await expect(saveMailSettings(db, ring, actor, { ...good(), ...change }, context)).rejects.toThrow(message);
    }
    expect(await findMailSettings(db)).toBeNull();
    expect(await db.auditEvent.count({ where: { action: "settings.mail" } })).toBe(0);
  });

  it("seals the password, keeps it out of the value and the audit trail, and delivers through the server", async () => {
    await saveMailSettings(db, ring, actor, good(), context);
    const row = await db.setting.findUniqueOrThrow({ where: { key: "mail.smtp" }, omit: { secretEnc: false } });
    expect(JSON.stringify(row.value)).not.toContain(password);
    expect(row.secretEnc).toBeTruthy();
    expect(row.secretEnc).not.toContain(password);
    const audit = await db.auditEvent.findMany({ where: { action: "settings.mail" } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain(password);
    expect(await findMailSettings(db)).toMatchObject({
      host: "127.0.0.1",
      port,
      username: "paillasse",
      hasPassword: true,
    });

    await (await storedMailer(db, ring))!.send({ to: ["cle@unit.example"], subject: "Backup failed", text: "x" });
    expect(inbox.at(-1)).toEqual({
      from: '"Paillasse" <paillasse@unit.example>',
      to: ["cle@unit.example"],
      subject: "Backup failed",
      user: "paillasse",
    });
  });

  it("keeps the saved password when the field is left empty, forgets it when asked", async () => {
    await saveMailSettings(db, ring, actor, { ...good(), password: "", keepPassword: "true" }, context);
    await (await storedMailer(db, ring))!.send({ to: ["a@unit.example"], subject: "kept", text: "x" });
    expect(inbox.at(-1)?.subject).toBe("kept");
    await expect(
      saveMailSettings(db, ring, actor, { ...good(), password: "", keepPassword: "false" }, context),
    ).rejects.toThrow(/user name needs its password/);
    await saveMailSettings(db, ring, actor, { ...good(), username: "", password: "", keepPassword: "false" }, context);
    expect(await findMailSettings(db)).toMatchObject({ hasPassword: false, username: "" });
    // This server wants a sign-in: the mail is refused, and the error says so.
    await expect(
      (await storedMailer(db, ring))!.send({ to: ["a@unit.example"], subject: "forgotten", text: "x" }),
    ).rejects.toThrow(/auth/i);
    expect(inbox.at(-1)?.subject).toBe("kept");
  });
});
