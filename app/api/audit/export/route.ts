import { authorize, requestContext } from "@/lib/auth/authorize";
import { db } from "@/lib/server/db/web";
import { AppError } from "@/lib/errors";
import { csvHeader, csvRows, exportRecord } from "@/lib/server/audit/export-audit";
import { auditEventsFor, parseAuditFilter, withoutCursor } from "@/lib/server/audit/find-audit-events";
import { operatorActor, recordAuditEvent } from "@/lib/server/audit/record-audit-event";
import { errorResponse } from "@/lib/server/http";
import { msg } from "@/lib/i18n/message";

/**
 * The audit log's filtered view as a download: ?format=csv|json plus the
 * audit page's filters. Correspondants get their units' events only (the
 * same scope as the page). Streamed in batches, so any size fits; the export
 * itself is an audit event.
 */
export async function GET(request: Request) {
  try {
    const operator = await authorize("audit.read", "audit.export");
    const url = new URL(request.url);
    const format = url.searchParams.get("format") ?? "csv";
    if (format !== "csv" && format !== "json") {
      throw new AppError("bad_input", msg`"${format.slice(0, 20)}" is not an export format.`, {
        hint: "Use format=csv or format=json.",
      });
    }
    const filter = parseAuditFilter(url.searchParams);
    const context = await requestContext();
    const described = withoutCursor(filter);
    await recordAuditEvent(db(), {
      actor: operatorActor(operator),
      ip: context.ip,
      userAgent: context.userAgent,
      action: "audit.exported",
      params: { format, ...described },
      outcome: "success",
    });
    const encoder = new TextEncoder();
    const batches = auditEventsFor(db(), operator, filter);
    let first = true;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(format === "csv" ? csvHeader() : "["));
      },
      async pull(controller) {
        try {
          const next = await batches.next();
          if (next.done) {
            if (format === "json") controller.enqueue(encoder.encode("]\n"));
            controller.close();
            return;
          }
          if (format === "csv") {
            controller.enqueue(encoder.encode(csvRows(next.value)));
          } else {
            const text = next.value.map((e) => JSON.stringify(exportRecord(e))).join(",\n");
            controller.enqueue(encoder.encode((first ? "\n" : ",\n") + text));
            first = false;
          }
        } catch (error) {
          controller.error(error);
        }
      },
    });
    const stamp = new Date().toISOString().replace(/[:]/g, "-").slice(0, 19);
    return new Response(body, {
      headers: {
        "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="paillasse-audit-${stamp}.${format}"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}
