import { createHash, timingSafeEqual } from "node:crypto";
import { inNetworks, normaliseAddress, parseCidrs } from "../network/client-address";

export type MetricsAccess = { allow: true } | { allow: false; status: 401 | 403; message: string };

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Who may scrape /api/metrics: with PANEL_METRICS_TOKEN set, a request that
 * sends it as a bearer token (compared in constant time); without the
 * token, a client in PANEL_METRICS_NETWORKS (default: this machine only).
 */
export function metricsAccess(
  request: { authorization: string | null; clientIp: string | null },
  config: { token?: string; networks: string[] },
): MetricsAccess {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.authorization ?? "")?.[1];
  if (config.token) {
    if (presented && timingSafeEqual(digest(presented), digest(config.token))) return { allow: true };
    return {
      allow: false,
      status: 401,
      message: presented
        ? "This bearer token is not the metrics token. Check PANEL_METRICS_TOKEN and Prometheus's authorization credentials."
        : "The metrics need a bearer token: set Prometheus's authorization credentials to PANEL_METRICS_TOKEN.",
    };
  }
  const client = normaliseAddress(request.clientIp);
  if (client && inNetworks(client, parseCidrs(config.networks))) return { allow: true };
  return {
    allow: false,
    status: 403,
    message:
      "This address may not read the metrics. Set PANEL_METRICS_TOKEN and scrape with it, or add the Prometheus server's network to PANEL_METRICS_NETWORKS.",
  };
}
