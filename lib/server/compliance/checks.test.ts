import { describe, expect, it } from "vitest";
import { englishText } from "../../i18n/message";
import { complianceChecks, complianceScore, type ComplianceFacts } from "./checks";

const now = new Date("2026-11-22T12:00:00Z");

/** An instance laid out as the CNRS wants it: every check passes. */
function good(): ComplianceFacts {
  return {
    webHost: { id: "web", name: "web-host", address: "10.0.0.1", kind: "tcp_tls" },
    database: {
      placement: "container",
      hostId: "db",
      hostName: "db-host",
      portBindings: { "3306/tcp": [{ hostIp: "10.0.0.2", hostPort: "3306" }] },
    },
    web: {
      env: { DB_CERT_PATH: "/mysql-cert/server-cert.pem" },
      securityOpt: ["no-new-privileges:true"],
      capDrop: ["ALL"],
      capAdd: ["CHOWN", "SETGID", "SETUID", "FOWNER", "DAC_OVERRIDE"],
      imageTag: "5.1.0",
    },
    sideContainers: [{ name: "elabftw-before-5.1.0", role: "rollback", restartPolicy: "no" }],
    backups: { count: 3, lastVerifiedAt: new Date("2026-11-22T02:30:00Z"), lastEncrypted: true, maxAgeHours: 36 },
  };
}

const verdicts = (facts: ComplianceFacts) =>
  Object.fromEntries(complianceChecks(facts, now).map((c) => [c.id, c.verdict]));
const reasonOf = (facts: ComplianceFacts, id: string) =>
  englishText(complianceChecks(facts, now).find((c) => c.id === id)!.reason);

describe("CNRS compliance checks", () => {
  it("all pass on the reference layout, on two machines", () => {
    const checks = complianceChecks(good(), now);
    expect(checks.map((c) => `${c.id}:${c.verdict}`)).toEqual([
      "two_machines:pass",
      "https:pass",
      "database_tls:pass",
      "web_hardened:pass",
      "image_pinned:pass",
      "database_port:pass",
      "restart_policies:pass",
      "backups:pass",
    ]);
    expect(complianceScore(checks)).toEqual({ passed: 8, decided: 8, percent: 100 });
  });

  it("fails the two-machine rule on one host, and for an external database on the web machine", () => {
    const f = good();
    f.database = { placement: "container", hostId: "web", hostName: "web-host", portBindings: {} };
    expect(verdicts(f).two_machines).toBe("fail");
    f.database = { placement: "external", address: "localhost" };
    expect(verdicts(f).two_machines).toBe("fail");
    f.database = { placement: "external", address: "10.0.0.1" };
    expect(reasonOf(f, "two_machines")).toContain("web container's own machine");
    f.database = { placement: "external", address: "mysql.unit.example" };
    expect(verdicts(f)).toMatchObject({ two_machines: "pass", database_port: "unknown" });
  });

  it("fails HTTPS off, a database in clear text, an unpinned image", () => {
    const f = good();
    f.web!.env = { DISABLE_HTTPS: "true" };
    f.web!.imageTag = "latest";
    expect(verdicts(f)).toMatchObject({ https: "fail", database_tls: "fail", image_pinned: "fail" });
  });

  it("fails a web container that is not hardened, naming what is missing", () => {
    const f = good();
    f.web!.securityOpt = [];
    f.web!.capDrop = [];
    f.web!.capAdd = ["CHOWN", "NET_ADMIN"];
    expect(verdicts(f).web_hardened).toBe("fail");
    expect(reasonOf(f, "web_hardened")).toBe(
      "no-new-privileges is not set; capabilities are not dropped (cap_drop: ALL); extra capabilities: NET_ADMIN",
    );
  });

  it("fails a database port published on all interfaces", () => {
    const f = good();
    f.database = {
      placement: "container",
      hostId: "db",
      hostName: "db-host",
      portBindings: { "3306/tcp": [{ hostIp: "", hostPort: "3306" }] },
    };
    expect(verdicts(f).database_port).toBe("fail");
  });

  it("fails a kept-for-rollback container that would come back after a reboot", () => {
    const f = good();
    f.sideContainers = [{ name: "elabftw-old", role: "rollback", restartPolicy: "always" }];
    expect(verdicts(f).restart_policies).toBe("fail");
    expect(reasonOf(f, "restart_policies")).toContain("elabftw-old (rollback) restarts always");
  });

  it("judges backups once they exist: stale or unencrypted fail", () => {
    const f = good();
    f.backups = { count: 0, lastVerifiedAt: null, lastEncrypted: null, maxAgeHours: 36 };
    expect(verdicts(f).backups).toBe("unknown");
    f.backups = { count: 2, lastVerifiedAt: null, lastEncrypted: null, maxAgeHours: 36 };
    expect(verdicts(f).backups).toBe("fail");
    f.backups = { count: 2, lastVerifiedAt: new Date("2026-11-19T12:00:00Z"), lastEncrypted: true, maxAgeHours: 36 };
    expect(reasonOf(f, "backups")).toContain("72 h old");
    f.backups = { count: 2, lastVerifiedAt: new Date("2026-11-22T11:00:00Z"), lastEncrypted: false, maxAgeHours: 36 };
    expect(verdicts(f).backups).toBe("fail");
  });

  it("says unknown, not pass, when the containers could not be read; the score ignores unknowns", () => {
    const f = good();
    f.web = null;
    f.sideContainers = null;
    f.database = { placement: "container", hostId: "db", hostName: "db-host", portBindings: null };
    const checks = complianceChecks(f, now);
    expect(checks.filter((c) => c.verdict === "unknown").map((c) => c.id)).toEqual([
      "https",
      "database_tls",
      "web_hardened",
      "image_pinned",
      "database_port",
      "restart_policies",
    ]);
    expect(complianceScore(checks)).toEqual({ passed: 2, decided: 2, percent: 100 });
  });
});
