import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "csv-parse/sync";
import { csvHeader, csvRows, exportRecord } from "../../lib/server/audit/export-audit";
import { auditEventsFor, findAuditPage, parseAuditFilter, startOfDay } from "../../lib/server/audit/find-audit-events";
import { recordAuditEvent, type AuditInput } from "../../lib/server/audit/record-audit-event";
import { createPrismaClient, type Db } from "../../lib/server/db/client";
import type { Viewer } from "../../lib/server/scope";
import { useFreshDatabase } from "../support/fresh-database";
import { operatorWithKey } from "../support/operators";

describe("audit log: filters, scope, paging, export", () => {
  const database = useFreshDatabase("auditlog", { migrated: true });
  let db: Db;
  let admin: Viewer;
  let correspondant: Viewer;
  const ids: Record<string, string> = {};

  async function at(when: string, input: AuditInput) {
    vi.setSystemTime(new Date(when));
    await recordAuditEvent(db, input);
  }

  beforeAll(async () => {
    db = createPrismaClient(database.url);
    const a = await operatorWithKey(db, "admin@unit.example", "admin");
    const c = await operatorWithKey(db, "cle@umr1.example", "correspondant");
    admin = { id: a.id, role: "admin" };
    correspondant = { id: c.id, role: "correspondant" };
    const host = await db.dockerHost.create({ data: { name: "h", kind: "socket", address: "/run/none.sock" } });
    for (const code of ["UMR1", "UMR2"]) {
      const unit = await db.unit.create({ data: { code, name: `Unit ${code}` } });
      ids[code] = unit.id;
      ids[`elab-${code}`] = (
        await db.instance.create({
          data: {
            name: `elab-${code.toLowerCase()}`,
            unitId: unit.id,
            webHostId: host.id,
            webContainerName: `elab-${code.toLowerCase()}`,
            databasePlacement: "container",
            imageTag: "5.0.4",
            siteUrl: `https://${code.toLowerCase()}.unit.example`,
            uploadsKind: "volume",
            uploadsSource: "uploads",
          },
        })
      ).id;
    }
    await db.unitMembership.create({ data: { operatorId: c.id, unitId: ids.UMR1! } });

    vi.useFakeTimers({ toFake: ["Date"] });
    const operator = { type: "operator" as const, operatorId: a.id, label: a.email, securityKeyId: a.keyId };
    await at("2026-11-20T10:00:00Z", { actor: operator, action: "auth.sign_in", outcome: "success", ip: "10.8.0.2" });
    await at("2026-11-20T23:30:00Z", {
      actor: operator,
      action: "instance.upgrade",
      target: { type: "instance", id: ids["elab-UMR1"]! },
      instanceId: ids["elab-UMR1"]!,
      unitId: ids.UMR1!,
      params: { from: "5.0.4", to: "5.1.0", dbPassword: "hunter2" },
      outcome: "success",
    });
    await at("2026-11-21T08:00:00Z", {
      actor: { type: "system" },
      action: "backup.run",
      instanceId: ids["elab-UMR2"]!,
      unitId: ids.UMR2!,
      params: { note: '=HYPERLINK("http://evil")' },
      outcome: "failure",
      reason: "destination_full",
    });
    await at("2026-11-22T09:00:00Z", {
      actor: { type: "anonymous" },
      action: "auth.sign_in",
      outcome: "denied",
      ip: "10.8.0.66",
    });
    for (let i = 0; i < 7; i++) {
      await at(`2026-11-22T10:0${i}:00Z`, {
        actor: operator,
        action: "backup.request",
        instanceId: ids["elab-UMR1"]!,
        unitId: ids.UMR1!,
        outcome: "success",
      });
    }
    vi.useRealTimers();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await db?.$disconnect();
  });

  const actions = async (viewer: Viewer, raw: Record<string, string>) =>
    (await findAuditPage(db, viewer, parseAuditFilter(raw), 100)).events.map((e) => e.action);

  it("filters by operator, action, instance, unit, outcome and days in the panel's time zone", async () => {
    expect(await actions(admin, {})).toHaveLength(11);
    expect(await actions(admin, { operator: "ADMIN@" })).toHaveLength(9);
    expect(await actions(admin, { action: "auth." })).toEqual(["auth.sign_in", "auth.sign_in"]);
    expect(await actions(admin, { outcome: "failure" })).toEqual(["backup.run"]);
    expect(await actions(admin, { instance: "elab-umr2" })).toEqual(["backup.run"]);
    expect(await actions(admin, { unit: "umr1" })).toHaveLength(8);
    // 23:30 UTC on the 20th is 00:30 on the 21st in Paris.
    expect(await actions(admin, { from: "2026-11-21", to: "2026-11-21" })).toEqual(["backup.run", "instance.upgrade"]);
    expect(await actions(admin, { to: "2026-11-20" })).toEqual(["auth.sign_in"]);
    expect(startOfDay("2026-07-01").toISOString()).toBe("2026-06-30T22:00:00.000Z");
    // Nonsense in the URL is ignored, not an error.
    expect(parseAuditFilter({ outcome: "maybe", from: "2026-13-45", before: "x; drop" })).toEqual({});
  });

  it("shows a correspondant only the events of their unit's instances", async () => {
    const seen = await actions(correspondant, {});
    expect(seen).toHaveLength(8);
    expect(seen).not.toContain("backup.run");
    expect(seen).not.toContain("auth.sign_in");
    expect(await actions(correspondant, { instance: "elab-umr2" })).toEqual([]);
  });

  it("pages newest first with a cursor, without gaps or repeats", async () => {
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await findAuditPage(db, admin, parseAuditFilter(before ? { before } : {}), 4);
      seen.push(...page.events.map((e) => String(e.id)));
      before = page.olderCursor ?? undefined;
      pages++;
    } while (before);
    expect(pages).toBe(3);
    const all = (await db.auditEvent.findMany({ orderBy: { id: "desc" }, select: { id: true } })).map((e) =>
      String(e.id),
    );
    expect(seen).toEqual(all);
  });

  it("exports the filtered view as CSV and JSON, secrets removed and formulas neutralised", async () => {
    const rows = [];
    for await (const batch of auditEventsFor(db, admin, parseAuditFilter({ action: "backup" }), 3)) rows.push(...batch);
    expect(rows).toHaveLength(8);
    const csv = parse(csvHeader() + csvRows(rows), { columns: true }) as Record<string, string>[];
    expect(csv).toHaveLength(8);
    const failed = csv.find((r) => r.action === "backup.run")!;
    expect(failed).toMatchObject({ actor_type: "system", outcome: "failure", reason: "destination_full" });
    expect(JSON.parse(failed.params!)).toEqual({ note: '=HYPERLINK("http://evil")' });
    const all = [];
    for await (const batch of auditEventsFor(db, admin, parseAuditFilter({}))) all.push(...batch.map(exportRecord));
    const json = JSON.parse(JSON.stringify(all)) as ReturnType<typeof exportRecord>[];
    const upgrade = json.find((r) => r.action === "instance.upgrade")!;
    expect(upgrade.params).toEqual({ from: "5.0.4", to: "5.1.0", dbPassword: "[redacted]" });
    expect(JSON.stringify(json)).not.toContain("hunter2");
    expect(upgrade.at).toBe("2026-11-20T23:30:00.000Z");
  });

  it("neutralises a cell that would run as a formula in a spreadsheet", () => {
    const row = {
      id: 1n,
      at: new Date(0),
      actorType: "operator",
      actorLabel: "=cmd|' /C calc'!A0",
      securityKeyId: null,
      ip: null,
      userAgent: "+danger",
      action: "x",
      targetType: null,
      targetId: null,
      unitId: null,
      instanceId: null,
      params: {},
      outcome: "success",
      reason: "-1",
    } as unknown as Parameters<typeof csvRows>[0][number];
    const [parsed] = parse(csvHeader() + csvRows([row]), { columns: true }) as Record<string, string>[];
    expect(parsed!.actor).toBe("'=cmd|' /C calc'!A0");
    expect(parsed!.user_agent).toBe("'+danger");
    expect(parsed!.reason).toBe("'-1");
    // Behind a no-break, thin or ideographic space, or a BOM: a spreadsheet still runs it.
    for (const lead of ["\u00a0", "\u2009", "\u3000", "\ufeff", " "]) {
      const [cell] = parse(csvHeader() + csvRows([{ ...row, actorLabel: `${lead}=HYPERLINK("x")` }]), {
        columns: true,
        bom: false,
      }) as Record<string, string>[];
      expect(cell!.actor, JSON.stringify(lead)).toBe(`'${lead}=HYPERLINK("x")`);
    }
    // Ordinary text is left alone.
    const [plain] = parse(csvHeader() + csvRows([{ ...row, actorLabel: "a@unit.example" }]), {
      columns: true,
    }) as Record<string, string>[];
    expect(plain!.actor).toBe("a@unit.example");
  });
});
