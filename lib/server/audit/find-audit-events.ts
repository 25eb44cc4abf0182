import { z } from "zod";
import type { Prisma } from "../../generated/prisma/client";
import type { Db } from "../db/client";
import { auditScope, type Viewer } from "../scope";

export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;
export const AUDIT_PAGE_SIZE = 50;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)));

/**
 * The audit page's filters, from the URL (the same ones drive the export).
 * A value that makes no sense is ignored rather than turned into an error
 * page, so a hand-edited URL still shows the log.
 */
/** Free text of a filter: bounded, and without control characters (PostgreSQL text cannot hold a NUL). */
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]*$/)
    .optional()
    .catch(undefined);

export const auditFilterSchema = z.object({
  operator: text(200),
  action: text(100),
  instance: text(100),
  unit: text(100),
  outcome: z.enum(AUDIT_OUTCOMES).optional().catch(undefined),
  /** First and last day included, in the panel's time zone (YYYY-MM-DD). */
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  /** Keyset paging: events older than this id. */
  before: z
    .string()
    .regex(/^\d{1,19}$/)
    // A bigint id: nothing above PostgreSQL's largest.
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= 9223372036854775807n)
    .optional()
    .catch(undefined),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** Parses URL search parameters (a record or URLSearchParams) into a filter; empty values mean "all". */
export function parseAuditFilter(raw: Record<string, string | string[] | undefined> | URLSearchParams): AuditFilter {
  const flat: Record<string, string> = {};
  const entries = raw instanceof URLSearchParams ? [...raw.entries()] : Object.entries(raw);
  for (const [k, v] of entries) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== "") flat[k] = value;
  }
  return auditFilterSchema.parse(flat);
}

/** The filter's criteria alone (what the view shows), without the page it is on. */
export function withoutCursor(filter: AuditFilter): Omit<AuditFilter, "before"> {
  const criteria = { ...filter };
  delete criteria.before;
  return criteria;
}

const PANEL_TIME_ZONE = "Europe/Paris";

/** Midnight of a calendar day in the panel's time zone, as an instant. */
export function startOfDay(dayText: string, timeZone = PANEL_TIME_ZONE): Date {
  const utcMidnight = new Date(`${dayText}T00:00:00Z`);
  // The zone's offset at that moment: format the UTC instant in the zone and compare.
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(utcMidnight);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asIfUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return new Date(utcMidnight.getTime() - (asIfUtc - utcMidnight.getTime()));
}

function nextDay(dayText: string): string {
  const d = new Date(`${dayText}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

async function scopeFor(db: Db, viewer: Viewer) {
  return auditScope(
    viewer,
    async (operatorId) =>
      (await db.unitMembership.findMany({ where: { operatorId }, select: { unitId: true } })).map((m) => m.unitId),
    async (unitIds) =>
      (await db.instance.findMany({ where: { unitId: { in: unitIds } }, select: { id: true } })).map((i) => i.id),
  );
}

/** The database condition for a viewer and a filter (without the paging cursor). */
export async function auditWhere(db: Db, viewer: Viewer, filter: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const and: Prisma.AuditEventWhereInput[] = [await scopeFor(db, viewer)];
  if (filter.operator) and.push({ actorLabel: { contains: filter.operator, mode: "insensitive" } });
  if (filter.action) and.push({ action: { startsWith: filter.action } });
  if (filter.outcome) and.push({ outcome: filter.outcome });
  if (filter.instance) {
    const ids = (
      await db.instance.findMany({
        where: { name: { contains: filter.instance, mode: "insensitive" } },
        select: { id: true },
      })
    ).map((i) => i.id);
    and.push({ OR: [{ instanceId: { in: ids } }, { targetType: "instance", targetId: { in: ids } }] });
  }
  if (filter.unit) {
    const units = await db.unit.findMany({
      where: {
        OR: [
          { code: { contains: filter.unit, mode: "insensitive" } },
          { name: { contains: filter.unit, mode: "insensitive" } },
        ],
      },
      select: { id: true, instances: { select: { id: true } } },
    });
    const unitIds = units.map((u) => u.id);
    const instanceIds = units.flatMap((u) => u.instances.map((i) => i.id));
    and.push({ OR: [{ unitId: { in: unitIds } }, { instanceId: { in: instanceIds } }] });
  }
  if (filter.from) and.push({ at: { gte: startOfDay(filter.from) } });
  if (filter.to) and.push({ at: { lt: startOfDay(nextDay(filter.to)) } });
  return { AND: and };
}

const listSelect = {
  id: true,
  at: true,
  actorType: true,
  actorLabel: true,
  securityKeyId: true,
  ip: true,
  userAgent: true,
  action: true,
  targetType: true,
  targetId: true,
  unitId: true,
  instanceId: true,
  params: true,
  outcome: true,
  reason: true,
} satisfies Prisma.AuditEventSelect;

export type AuditRow = Prisma.AuditEventGetPayload<{ select: typeof listSelect }>;

/** One page of the audit log, newest first, and the cursor of the next (older) page if there is one. */
export async function findAuditPage(
  db: Db,
  viewer: Viewer,
  filter: AuditFilter,
  size = AUDIT_PAGE_SIZE,
): Promise<{ events: AuditRow[]; olderCursor: string | null }> {
  const where = await auditWhere(db, viewer, filter);
  const rows = await db.auditEvent.findMany({
    where: filter.before ? { AND: [where, { id: { lt: BigInt(filter.before) } }] } : where,
    orderBy: { id: "desc" },
    take: size + 1,
    select: listSelect,
  });
  const events = rows.slice(0, size);
  return { events, olderCursor: rows.length > size ? String(events[events.length - 1]!.id) : null };
}

/** Every event matching the filter, newest first, in batches (for exports of any size). */
export async function* auditEventsFor(
  db: Db,
  viewer: Viewer,
  filter: AuditFilter,
  batch = 500,
): AsyncGenerator<AuditRow[]> {
  const where = await auditWhere(db, viewer, filter);
  let before: bigint | null = filter.before ? BigInt(filter.before) : null;
  for (;;) {
    const rows: AuditRow[] = await db.auditEvent.findMany({
      where: before === null ? where : { AND: [where, { id: { lt: before } }] },
      orderBy: { id: "desc" },
      take: batch,
      select: listSelect,
    });
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
    before = rows[rows.length - 1]!.id;
  }
}

/** Names for the ids in a page of events (instances, units), so the page shows names, not ids. */
export async function auditNames(db: Db, events: AuditRow[]) {
  const instanceIds = [
    ...new Set(events.flatMap((e) => [e.instanceId, e.targetType === "instance" ? e.targetId : null])),
  ].filter((v): v is string => Boolean(v));
  const unitIds = [...new Set(events.map((e) => e.unitId).filter((v): v is string => Boolean(v)))];
  const [instances, units] = await Promise.all([
    db.instance.findMany({ where: { id: { in: instanceIds } }, select: { id: true, name: true } }),
    db.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, code: true } }),
  ]);
  return {
    instance: new Map(instances.map((i) => [i.id, i.name])),
    unit: new Map(units.map((u) => [u.id, u.code])),
  };
}
