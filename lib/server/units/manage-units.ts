import type { Actor, RequestContext } from "../../kernel";
import { z } from "zod";
import { AppError } from "../../errors";
import { requestedBy, withAuditEvent } from "../audit/record-audit-event";
import type { Db } from "../db/client";
import { parseInput } from "../validation";
import { msg } from "../../i18n/message";

export const unitSchema = z.object({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9][A-Z0-9-]{1,19}$/, { message: "must be a unit code such as UMR5107 (letters, digits, dashes)" }),
  name: z.string().trim().min(1, { message: "must not be empty" }).max(200),
  institution: z.string().trim().max(200).optional(),
});

/** A research unit (e.g. UMR5107): instances belong to one, correspondants to some. */
export async function createUnit(db: Db, actor: Actor, raw: unknown, context: RequestContext) {
  const input = parseInput(
    unitSchema,
    raw,
    { code: "Unit code", name: "Unit name", institution: "Institution" },
    "Correct it; nothing was created.",
  );
  if (await db.unit.findUnique({ where: { code: input.code }, select: { id: true } })) {
    throw new AppError("conflict", msg`Unit ${input.code} already exists.`, { hint: "Pick it from the list instead." });
  }
  return withAuditEvent(
    db,
    (tx) =>
      tx.unit.create({
        data: { code: input.code, name: input.name, institution: input.institution || null },
        select: { id: true, code: true, name: true },
      }),
    (unit) => ({
      ...requestedBy(actor, context),
      action: "unit.create",
      outcome: "success",
      target: { type: "unit", id: unit.id },
      unitId: unit.id,
      params: { code: unit.code, name: unit.name },
    }),
  );
}

const emailList = z
  .string()
  .max(4000)
  .transform((v) =>
    v
      .split(/[\s,;]+/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().email({ message: "must be e-mail addresses, one per line" })).max(50));

/** Who, besides the correspondants and the operators, is mailed when the unit's backups fail or go stale. */
export async function setUnitAlertEmails(
  db: Db,
  actor: Actor,
  unitId: string,
  raw: unknown,
  context: RequestContext,
): Promise<string[]> {
  const { emails } = parseInput(
    z.object({ emails: emailList }),
    { emails: raw },
    { emails: "Alert addresses" },
    "Correct them; nothing was saved.",
  );
  const unit = await db.unit.findUnique({ where: { id: unitId }, select: { id: true, code: true } });
  if (!unit) throw new AppError("not_found", "This unit no longer exists.", { hint: "Reload the page." });
  const unique = [...new Set(emails)];
  await withAuditEvent(
    db,
    (tx) => tx.unit.update({ where: { id: unit.id }, data: { alertEmails: unique } }),
    () => ({
      ...requestedBy(actor, context),
      action: "unit.alert_emails",
      outcome: "success",
      target: { type: "unit", id: unit.id },
      unitId: unit.id,
      params: { code: unit.code, count: unique.length },
    }),
  );
  return unique;
}
