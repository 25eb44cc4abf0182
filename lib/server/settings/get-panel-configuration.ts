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
  session: { maxHours: number; idleMinutes: number };
  /** The FIDO metadata file of approved key models, when the strict key policy is on. */
  approvedKeyModelsFile: string | null;
  registry: { url: string; username: string | null };
  helperImages: string[];
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
    session: { maxHours: e.PANEL_SESSION_MAX_HOURS, idleMinutes: e.PANEL_SESSION_IDLE_MINUTES },
    approvedKeyModelsFile: e.PANEL_APPROVED_KEY_MODELS_FILE ?? null,
    registry: { url: e.PANEL_REGISTRY_URL, username: e.PANEL_REGISTRY_USERNAME ?? null },
    helperImages: e.PANEL_HELPER_IMAGES,
  };
}
