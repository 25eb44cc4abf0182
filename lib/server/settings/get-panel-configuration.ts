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
  sessionLimits: string;
  keyPolicy: string;
  registry: string;
  helperImages: string;
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
    sessionLimits: `${e.PANEL_SESSION_MAX_HOURS} h in all, ${e.PANEL_SESSION_IDLE_MINUTES} min idle`,
    keyPolicy: e.PANEL_APPROVED_KEY_MODELS_FILE
      ? `Approved models only (FIDO metadata in ${e.PANEL_APPROVED_KEY_MODELS_FILE})`
      : "Any device-bound FIDO2 key with a PIN; synced passkeys refused",
    registry: `${e.PANEL_REGISTRY_URL} (${e.PANEL_REGISTRY_USERNAME ? `as ${e.PANEL_REGISTRY_USERNAME}` : "anonymous"})`,
    helperImages: e.PANEL_HELPER_IMAGES.length
      ? e.PANEL_HELPER_IMAGES.join(", ")
      : "An eLabFTW or MySQL image found on the host",
  };
}
