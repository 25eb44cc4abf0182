import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isCidr, parseEnv } from "./env";

const tmp = mkdtempSync(path.join(tmpdir(), "paillasse-env-"));

function errorOf(raw: Record<string, string>): string {
  try {
    parseEnv(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("parseEnv", () => {
  it("gives working defaults for an empty environment", () => {
    const env = parseEnv({});
    expect(env.PANEL_PORT).toBe(3000);
    expect(env.PANEL_HOST).toBe("127.0.0.1");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PANEL_TRUSTED_NETWORKS).toEqual([
      "127.0.0.0/8",
      "::1/128",
      "10.0.0.0/8",
      "172.16.0.0/12",
      "192.168.0.0/16",
      "fc00::/7",
    ]);
    expect(env.PANEL_TRUSTED_PROXIES).toEqual([]);
    expect([env.PANEL_SESSION_RETENTION_DAYS, env.PANEL_OPERATION_LOG_RETENTION_DAYS]).toEqual([30, 365]);
    expect(parseEnv({ PANEL_OPERATION_LOG_RETENTION_DAYS: "90" }).PANEL_OPERATION_LOG_RETENTION_DAYS).toBe(90);
    expect(errorOf({ PANEL_SESSION_RETENTION_DAYS: "0" })).toMatch(
      /PANEL_SESSION_RETENTION_DAYS.*must be a whole number of days between 1 and 36500/,
    );
    expect(env.PANEL_URL).toBe("http://localhost:3000");
    // Unset, it follows the port; set, it wins.
    expect(parseEnv({ PANEL_PORT: "3999" }).PANEL_URL).toBe("http://localhost:3999");
    expect(parseEnv({ PANEL_PORT: "3999", PANEL_URL: "https://p.unit.example" }).PANEL_URL).toBe(
      "https://p.unit.example",
    );
  });

  it("names the variable and the value in one line when a value is bad", () => {
    const message = errorOf({ PANEL_PORT: "80a" });
    expect(message).toBe('Configuration error: PANEL_PORT must be a port number between 1 and 65535 (got "80a").');
    expect(message).not.toContain("\n");
    expect(errorOf({ PANEL_PORT: "70000" })).toMatch(/^Configuration error: PANEL_PORT /);
    expect(errorOf({ LOG_LEVEL: "loud" })).toMatch(/^Configuration error: LOG_LEVEL .*"loud"/);
    expect(errorOf({ PANEL_URL: "paillasse.example" })).toMatch(
      /^Configuration error: PANEL_URL must be the panel's public base URL/,
    );
    expect(errorOf({ PANEL_TRUSTED_NETWORKS: "10.8.0.0/16,10.300.0.0/16" })).toMatch(
      /^Configuration error: PANEL_TRUSTED_NETWORKS .*CIDR/,
    );
    expect(errorOf({ PANEL_TRUSTED_PROXIES: "proxy.example" })).toMatch(
      /^Configuration error: PANEL_TRUSTED_PROXIES .*CIDR/,
    );
  });

  it("never echoes a secret back", () => {
    const message = errorOf({ DATABASE_URL: "mysql://user:hunter2@db/x" });
    expect(message).toBe("Configuration error: DATABASE_URL must be a postgresql:// connection URL.");
    expect(message).not.toContain("hunter2");
  });

  it("reads secrets from *_FILE, without the trailing newline", () => {
    const file = path.join(tmp, "db-url");
    writeFileSync(file, "postgresql://u:p@127.0.0.1:5432/paillasse\n");
    expect(parseEnv({ DATABASE_URL_FILE: file }).DATABASE_URL).toBe("postgresql://u:p@127.0.0.1:5432/paillasse");
  });

  it("refuses both a variable and its _FILE, and an unreadable _FILE", () => {
    const file = path.join(tmp, "key");
    writeFileSync(file, "k1:abc");
    expect(errorOf({ PANEL_SECRET_KEY: "x", PANEL_SECRET_KEY_FILE: file })).toBe(
      "Configuration error: set PANEL_SECRET_KEY or PANEL_SECRET_KEY_FILE, not both.",
    );
    expect(errorOf({ PANEL_SECRET_KEY_FILE: path.join(tmp, "missing") })).toMatch(
      /^Configuration error: PANEL_SECRET_KEY_FILE points to a file that cannot be read \(ENOENT\)/,
    );
  });

  it("treats an empty value as unset", () => {
    expect(parseEnv({ PANEL_PORT: "" }).PANEL_PORT).toBe(3000);
  });
});

describe("isCidr", () => {
  it.each(["10.8.0.0/16", "192.168.1.10", "::1/128", "fd00::/8", "0.0.0.0/0"])("accepts %s", (v) => {
    expect(isCidr(v)).toBe(true);
  });
  it.each(["10.8.0.0/33", "10.8.0/16", "10", "0x0a.0.0.1", "::1/129", "fd00::/8/1", "vpn", ""])("rejects %s", (v) => {
    expect(isCidr(v)).toBe(false);
  });
});
