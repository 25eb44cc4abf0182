import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAuditEvent } from "../../lib/server/audit/record-audit-event";
import {
  findSyslogSettings,
  formatSyslogMessage,
  forwardAuditEvents,
  saveSyslogSettings,
  startAuditForwarder,
  SYSLOG_SETTING,
  syslogStatus,
} from "../../lib/server/audit/syslog";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";
import { freePort } from "../support/ports";
import { refusal } from "../support/refusal";
import { startCollector } from "../support/syslog-collector";
import { makePki } from "../support/tls";

/** RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] BOM MSG */
const RFC5424 =
  /^<(\d{1,3})>1 (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\S+) paillasse (\d+) (\S{1,32}) (\[paillasse@32473(?: [a-z]+="(?:[^"\\\]]|\\["\\\]])*")+\]) \ufeff(\{.*\})$/s;

function parsed(message: string) {
  const m = RFC5424.exec(message);
  if (!m) throw new Error(`not an RFC 5424 message: ${message.slice(0, 200)}`);
  const json = JSON.parse(m[7]!) as { id: string; action: string; params: Record<string, unknown> };
  return { pri: Number(m[1]), host: m[3], msgid: m[5], sd: m[6]!, json };
}

describe("audit forwarding to syslog", () => {
  const database = useFreshDatabase("syslog", { migrated: true });
  let db: Db;
  let actor: { id: string; email: string; securityKeyId: string };
  const context = { ip: "10.8.0.2", userAgent: "test" };
  let n = 0;

  const record = (extra: Partial<Parameters<typeof recordAuditEvent>[1]> = {}) =>
    recordAuditEvent(db, {
      actor: { type: "operator", operatorId: actor.id, label: actor.email, securityKeyId: actor.securityKeyId },
      ip: "10.8.0.2",
      action: "instance.backup",
      params: { n: n++, dbPassword: "s3cret-not-for-syslog" },
      outcome: "success",
      ...extra,
    });
  const configure = (transport: string, port: number, caPem = "") =>
    saveSyslogSettings(
      db,
      actor,
      { enabled: "true", transport, host: "127.0.0.1", port: String(port), caPem },
      context,
    );
  const allIds = async () =>
    (await db.auditEvent.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map((e) => String(e.id));

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const o = await operatorWithKey(db, "syslog@unit.example", "admin");
    actor = { id: o.id, email: o.email, securityKeyId: o.keyId };
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("refuses bad settings with the field named, and stores nothing", async () => {
    const valid = { enabled: "true", transport: "tcp", host: "syslog.unit.example", port: "6514", caPem: "" };
    const cases: [Record<string, string>, RegExp][] = [
      [{ transport: "carrier-pigeon" }, /^Choose UDP, TCP or TLS/],
      [{ host: "" }, /^Give the collector's name/],
      [{ host: "bad host;rm" }, /^The collector is not a host name/],
      [{ port: "0" }, /^Ports go from 1 to 65535/],
      [{ port: "http" }, /^The port is a number/],
      [{ transport: "tls", caPem: "not a certificate" }, /^The CA certificate is not a PEM certificate/],
      [{ transport: "udp", caPem: makePki("stray").ca }, /^A CA certificate is only used with TLS/],
    ];
    for (const [override, message] of cases) {
      const error = await refusal(saveSyslogSettings(db, actor, { ...valid, ...override }, context));
      expect(error.message, JSON.stringify(override)).toMatch(message);
    }
    expect(await db.setting.findUnique({ where: { key: SYSLOG_SETTING } })).toBeNull();
  });

  it("formats RFC 5424 messages: facility log audit, severity by outcome, escaped structured data, no secrets", async () => {
    await record({ target: { type: "instance", id: 'we"ird]\\id' }, outcome: "failure" });
    const event = (await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } }))!;
    const m = parsed(formatSyslogMessage(event, "panel.unit.example"));
    expect(m.pri).toBe(13 * 8 + 4);
    expect(m.host).toBe("panel.unit.example");
    expect(m.msgid).toBe("instance.backup");
    expect(m.sd).toContain('target="instance:we\\"ird\\]\\\\id"');
    expect(m.sd).toContain(`hash="${event.hash}"`);
    expect(m.json.params).toMatchObject({ dbPassword: "[redacted]" });
    expect(formatSyslogMessage(event, "h")).not.toContain("s3cret");
    expect(parsed(formatSyslogMessage({ ...event, outcome: "success" }, "h")).pri).toBe(13 * 8 + 6);
  });

  it("sends every event once over UDP, in order", async () => {
    const collector = await startCollector("udp");
    try {
      await configure("udp", collector.port);
      await record();
      const ids = await allIds();
      const result = await forwardAuditEvents(db, { hostname: "panel" });
      expect(result).toMatchObject({ sent: ids.length, pending: 0 });
      await expect.poll(() => collector.messages.length).toBe(ids.length);
      expect(collector.messages.map((m) => parsed(m).json.id)).toEqual(ids);
      // Nothing new: nothing sent again.
      expect(await forwardAuditEvents(db, { hostname: "panel" })).toMatchObject({ sent: 0, pending: 0 });
      await new Promise((r) => setTimeout(r, 200));
      expect(collector.messages).toHaveLength(ids.length);
    } finally {
      await collector.close();
    }
  });

  it("keeps events while a TCP collector is down and sends them, once each, when it is back", async () => {
    const port = await freePort();
    await configure("tcp", port);
    const before = (await syslogStatus(db)).lastEventId;
    await record();
    await record();
    const down = await forwardAuditEvents(db, { hostname: "panel" });
    expect(down!.sent).toBe(0);
    expect(down!.error).toMatch(/^TCP 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    const status = await syslogStatus(db);
    expect(status.lastEventId).toBe(before);
    expect(status.pending).toBe(3); // the two events and the settings change
    expect(status.lastError).toMatch(/ECONNREFUSED/);

    const collector = await startCollector("tcp", { port });
    try {
      const up = await forwardAuditEvents(db, { hostname: "panel" });
      expect(up).toMatchObject({ sent: 3, pending: 0 });
      await expect.poll(() => collector.messages.length).toBe(3);
      const ids = await allIds();
      expect(collector.messages.map((m) => parsed(m).json.id)).toEqual(ids.slice(-3));
    } finally {
      await collector.close();
    }
  });

  it("loses nothing written to a collector that crashed before reading it", async () => {
    const port = await freePort();
    await configure("tcp", port);
    const start = (await syslogStatus(db)).lastEventId;
    for (let i = 0; i < 30; i++) await record();
    const expected = (await allIds()).filter((id) => BigInt(id) > start);
    const dropping = await startCollector("tcp", { port, crashFirst: true });
    const received: string[] = [];
    try {
      for (let attempt = 0; attempt < 20 && (await syslogStatus(db)).pending > 0; attempt++) {
        const result = await forwardAuditEvents(db, { hostname: "panel" });
        if (attempt === 0) {
          // Every message was written to the socket, yet none counts as sent: the collector never confirmed.
          expect(result!.sent).toBe(0);
          expect(result!.error).toMatch(/ECONNRESET|EPIPE|closed/);
        }
      }
      received.push(...dropping.messages.map((m) => parsed(m).json.id));
    } finally {
      await dropping.close();
    }
    expect((await syslogStatus(db)).pending).toBe(0);
    // Every event reached the collector on the second connection, in order, once.
    expect(received).toEqual(expected);
  });

  it("sends over TLS to a collector whose certificate the configured CA signed, and refuses another", async () => {
    const good = makePki("syslog");
    const other = makePki("rogue");
    const collector = await startCollector("tls", { cert: good.serverCert, key: good.serverKey });
    try {
      await configure("tls", collector.port, other.ca);
      const refused = await forwardAuditEvents(db, { hostname: "panel" });
      expect(refused!.sent).toBe(0);
      expect(refused!.error).toMatch(/^TLS 127\.0\.0\.1:\d+: .*(certificate|self.signed)/i);
      await configure("tls", collector.port, good.ca);
      const sent = await forwardAuditEvents(db, { hostname: "panel" });
      expect(sent).toMatchObject({ pending: 0 });
      expect(sent!.sent).toBeGreaterThanOrEqual(2);
      await expect.poll(() => collector.messages.length).toBe(sent!.sent);
      expect(parsed(collector.messages.at(-1)!).json.action).toBe("settings.syslog");
      expect((await findSyslogSettings(db))!.caPem).toContain("BEGIN CERTIFICATE");
    } finally {
      await collector.close();
    }
  });

  it("the background forwarder retries until the collector answers", async () => {
    const port = await freePort();
    await configure("tcp", port);
    const lines: string[] = [];
    const forwarder = startAuditForwarder(db, {
      hostname: "panel",
      log: (l) => lines.push(l),
      intervalMs: 100,
      maxDelayMs: 400,
    });
    try {
      await record({ action: "instance.upgrade" });
      await expect.poll(() => lines.some((l) => l.includes("failed (will retry)")), { timeout: 5_000 }).toBe(true);
      const collector = await startCollector("tcp", { port });
      try {
        await expect
          .poll(() => collector.messages.some((m) => parsed(m).msgid === "instance.upgrade"), { timeout: 10_000 })
          .toBe(true);
        // The collector has the message before the forwarder has marked it sent and said so.
        await expect.poll(() => lines.at(-1), { timeout: 5_000 }).toBe("Audit forwarding to syslog works again.");
        expect((await syslogStatus(db)).pending).toBe(0);
      } finally {
        await collector.close();
      }
    } finally {
      await forwarder.stop();
    }
  });
});
