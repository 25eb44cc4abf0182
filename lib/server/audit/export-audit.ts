import { stringify } from "csv-stringify/sync";
import type { AuditRow } from "./find-audit-events";

export const AUDIT_EXPORT_COLUMNS = [
  "id",
  "at",
  "actor_type",
  "actor",
  "security_key_id",
  "ip",
  "user_agent",
  "action",
  "target_type",
  "target_id",
  "unit_id",
  "instance_id",
  "outcome",
  "reason",
  "params",
] as const;

/** One event as a plain object (ids as strings, instants in ISO 8601 UTC), the same for CSV and JSON. */
export function exportRecord(e: AuditRow) {
  return {
    id: String(e.id),
    at: e.at.toISOString(),
    actor_type: e.actorType,
    actor: e.actorLabel,
    security_key_id: e.securityKeyId,
    ip: e.ip,
    user_agent: e.userAgent,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    unit_id: e.unitId,
    instance_id: e.instanceId,
    outcome: e.outcome,
    reason: e.reason,
    params: e.params,
  };
}

/**
 * A spreadsheet opening the CSV must not run a cell as a formula: values
 * starting with = + - @ (after any leading spaces, Unicode ones included) or
 * a control character get a leading apostrophe
 * (OWASP's advice for CSV injection). Nothing else is altered.
 */
function neutralise(value: string): string {
  // Spreadsheets skip leading spaces of every kind (no-break, thin, ideographic, BOM…) before a formula.
  return /^[\s\p{Zs}\uFEFF\u200B-\u200D\u2060]*[=+\-@]|^[\t\r]/u.test(value) ? `'${value}` : value;
}

export function csvHeader(): string {
  return stringify([AUDIT_EXPORT_COLUMNS as unknown as string[]]);
}

export function csvRows(rows: AuditRow[]): string {
  return stringify(
    rows.map((e) => {
      const r = exportRecord(e);
      return AUDIT_EXPORT_COLUMNS.map((c) => {
        const v = r[c];
        if (v === null || v === undefined) return "";
        return neutralise(typeof v === "string" ? v : JSON.stringify(v));
      });
    }),
  );
}
