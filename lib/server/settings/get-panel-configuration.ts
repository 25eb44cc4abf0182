import { env } from "../../env";

export interface PanelConfiguration {
  publicUrl: string;
  listen: string;
  trustedNetworks: string[];
  trustedProxies: string[];
  database: "embedded" | "external";
  masterKeySource: "environment" | "file";
  dockerSocket: string;
  logLevel: string;
}

/** The running configuration as an operator may see it: where things are, never a secret. */
export function getPanelConfiguration(): PanelConfiguration {
  const e = env();
  return {
    publicUrl: e.PANEL_URL,
    listen: `${e.PANEL_HOST}:${e.PANEL_PORT}`,
    trustedNetworks: e.PANEL_TRUSTED_NETWORKS,
    trustedProxies: e.PANEL_TRUSTED_PROXIES,
    database: process.env.PAILLASSE_EMBEDDED_DB === "1" ? "embedded" : "external",
    masterKeySource: process.env.PANEL_SECRET_KEY_FILE ? "file" : "environment",
    dockerSocket: e.DOCKER_SOCKET,
    logLevel: e.LOG_LEVEL,
  };
}
