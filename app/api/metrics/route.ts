import { headers } from "next/headers";
import { db } from "@/lib/server/db/web";
import { env } from "@/lib/env";
import { collectMetrics, METRICS_CONTENT_TYPE } from "@/lib/server/metrics/metrics";
import { metricsAccess } from "@/lib/server/metrics/metrics-access";
import { requestLog } from "@/lib/server/request-log";

/**
 * Prometheus metrics of the fleet and the panel. No session: Prometheus
 * authenticates with the bearer token (PANEL_METRICS_TOKEN), or scrapes from
 * PANEL_METRICS_NETWORKS when no token is set.
 */
export async function GET() {
  const h = await headers();
  const e = env();
  const access = metricsAccess(
    { authorization: h.get("authorization"), clientIp: h.get("x-paillasse-client-ip") },
    { token: e.PANEL_METRICS_TOKEN, networks: e.PANEL_METRICS_NETWORKS },
  );
  if (!access.allow) {
    return new Response(`${access.message}\n`, {
      status: access.status,
      headers: {
        "Content-Type": "text/plain; charset=utf-8",
        "Cache-Control": "no-store",
        ...(access.status === 401 ? { "WWW-Authenticate": 'Bearer realm="paillasse-metrics"' } : {}),
      },
    });
  }
  try {
    return new Response(await collectMetrics(db()), {
      headers: { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" },
    });
  } catch (error) {
    (await requestLog()).error({ err: error }, "Metrics could not be collected");
    return new Response("The metrics could not be read from the panel's database. See the panel's log.\n", {
      status: 503,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
}
