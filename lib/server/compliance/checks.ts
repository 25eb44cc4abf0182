import { joinTexts, msg, type Wording } from "../../i18n/message";
import { releaseTraits } from "../instances/elabftw-releases";

/**
 * The CNRS compliance report of an instance: what the Docker API can prove,
 * each check passing, failing, or unknown with the reason. Pure: the facts
 * come from the instance's observation (inspect of its containers).
 */
export type Verdict = "pass" | "fail" | "unknown";

export interface ComplianceCheck {
  id:
    | "two_machines"
    | "https"
    | "database_tls"
    | "web_hardened"
    | "database_port"
    | "restart_policies"
    | "image_pinned"
    | "backups";
  title: string;
  verdict: Verdict;
  reason: Wording;
}

export interface ComplianceFacts {
  webHost: { id: string; name: string; address: string; kind: "socket" | "tcp_tls" | "ssh" };
  database:
    | {
        placement: "container";
        hostId: string | null;
        hostName: string | null;
        portBindings: Record<string, { hostIp: string; hostPort: string }[]> | null;
      }
    | { placement: "external"; address: string | null };
  web: {
    env: Record<string, string>;
    securityOpt: string[];
    capDrop: string[];
    capAdd: string[];
    imageTag: string;
  } | null;
  /** Panel-made one-off, backup or kept-for-rollback containers on the instance's hosts. */
  sideContainers: { name: string; role: string; restartPolicy: string }[] | null;
  backups: { count: number; lastVerifiedAt: Date | null; lastEncrypted: boolean | null; maxAgeHours: number };
}

/** The capabilities the reference compose file adds back after dropping ALL. */
export const REFERENCE_CAPS = ["CHOWN", "SETGID", "SETUID", "FOWNER", "DAC_OVERRIDE"];

const LOCAL = /^(localhost|127\.|::1$|0\.0\.0\.0$)/;

export function complianceChecks(facts: ComplianceFacts, now: Date): ComplianceCheck[] {
  const checks: ComplianceCheck[] = [];
  const add = (id: ComplianceCheck["id"], title: string, verdict: Verdict, reason: Wording) =>
    checks.push({ id, title, verdict, reason });
  const web = facts.web;

  // 1. The two-machine rule.
  const db = facts.database;
  if (db.placement === "container") {
    if (!db.hostId) add("two_machines", "Database on another machine", "unknown", "the database host is not known");
    else if (db.hostId === facts.webHost.id)
      add(
        "two_machines",
        "Database on another machine",
        "fail",
        msg`web and database containers both run on ${facts.webHost.name}`,
      );
    else
      add(
        "two_machines",
        "Database on another machine",
        "pass",
        msg`database on ${db.hostName}, web on ${facts.webHost.name}`,
      );
  } else if (!db.address) {
    add("two_machines", "Database on another machine", "unknown", "the database address is not known");
  } else if (LOCAL.test(db.address) || db.address === facts.webHost.address) {
    add(
      "two_machines",
      "Database on another machine",
      "fail",
      msg`DB_HOST ${db.address} is the web container's own machine`,
    );
  } else {
    add("two_machines", "Database on another machine", "pass", msg`external database server ${db.address}`);
  }

  if (!web) {
    for (const [id, title] of [
      ["https", "HTTPS on"],
      ["database_tls", "Database over TLS"],
      ["web_hardened", "Web container hardened"],
      ["image_pinned", "Image pinned to a version"],
    ] as const) {
      add(id, title, "unknown", "the web container could not be read");
    }
  } else {
    // 2. HTTPS.
    if (web.env.DISABLE_HTTPS === "true")
      add("https", "HTTPS on", "fail", "DISABLE_HTTPS=true: the container serves plain HTTP");
    else {
      const port = releaseTraits(web.imageTag)?.layout.containerPort ?? 443;
      if (port === 443) add("https", "HTTPS on", "pass", "the container serves HTTPS on 443");
      else add("https", "HTTPS on", "pass", msg`the container serves HTTPS on ${port}`);
    }
    // 3. Database over TLS.
    if (web.env.DB_CERT_PATH)
      add("database_tls", "Database over TLS", "pass", msg`DB_CERT_PATH=${web.env.DB_CERT_PATH}`);
    else
      add("database_tls", "Database over TLS", "fail", "DB_CERT_PATH is not set: eLabFTW talks to MySQL in clear text");
    // 4. Hardening as in the reference compose file.
    const problems: Wording[] = [];
    if (!web.securityOpt.some((o) => /^no-new-privileges(:true|=true)?$/.test(o)))
      problems.push("no-new-privileges is not set");
    if (!web.capDrop.map((c) => c.toUpperCase()).includes("ALL"))
      problems.push("capabilities are not dropped (cap_drop: ALL)");
    const extra = web.capAdd
      .map((c) => c.toUpperCase().replace(/^CAP_/, ""))
      .filter((c) => !REFERENCE_CAPS.includes(c));
    if (extra.length) problems.push(msg`extra capabilities: ${extra.join(", ")}`);
    if (problems.length) add("web_hardened", "Web container hardened", "fail", joinTexts(problems));
    else
      add(
        "web_hardened",
        "Web container hardened",
        "pass",
        "no-new-privileges, capabilities dropped to the reference set",
      );
    // 7. Pinned image.
    if (/^\d+\.\d+\.\d+$/.test(web.imageTag))
      add("image_pinned", "Image pinned to a version", "pass", msg`tag ${web.imageTag}`);
    else
      add("image_pinned", "Image pinned to a version", "fail", msg`tag ${web.imageTag} can change under the instance`);
  }

  // 5. No database port on all interfaces.
  if (db.placement === "external") {
    add(
      "database_port",
      "Database port not public",
      "unknown",
      "an external server: its ports are not visible to Docker",
    );
  } else if (!db.portBindings) {
    add("database_port", "Database port not public", "unknown", "the database container could not be read");
  } else {
    const open = Object.entries(db.portBindings)
      .filter(([port]) => port.startsWith("3306/"))
      .flatMap(([, list]) => list)
      .filter((b) => !b.hostIp || b.hostIp === "0.0.0.0" || b.hostIp === "::");
    if (open.length)
      add(
        "database_port",
        "Database port not public",
        "fail",
        msg`3306 is published on all interfaces (port ${open[0]!.hostPort})`,
      );
    else add("database_port", "Database port not public", "pass", "3306 is not published on all interfaces");
  }

  // 6. No restart policy `always` on one-off, backup or kept-for-rollback containers.
  if (!facts.sideContainers) {
    add("restart_policies", "Side containers never restart", "unknown", "the host's containers could not be read");
  } else {
    const bad = facts.sideContainers.filter(
      (c) => c.restartPolicy === "always" || c.restartPolicy === "unless-stopped",
    );
    if (bad.length) {
      add(
        "restart_policies",
        "Side containers never restart",
        "fail",
        joinTexts(
          bad.map((c) => msg`${c.name} (${c.role}) restarts ${c.restartPolicy}`),
          ", ",
        ),
      );
    } else {
      add(
        "restart_policies",
        "Side containers never restart",
        "pass",
        facts.sideContainers.length
          ? msg`${facts.sideContainers.length} side container(s), none restarts by itself`
          : "no side container",
      );
    }
  }

  // 8. Backups encrypted and recent; only a backup that passed its verification counts (it was proven by a restore).
  const b = facts.backups;
  if (b.count === 0 || !b.lastVerifiedAt) {
    add(
      "backups",
      "Recent encrypted backup",
      b.count === 0 ? "unknown" : "fail",
      b.count === 0 ? "no backup yet" : "no backup has passed its verification",
    );
  } else {
    const ageHours = (now.getTime() - b.lastVerifiedAt.getTime()) / 3600_000;
    if (b.lastEncrypted === false)
      add("backups", "Recent encrypted backup", "fail", "the last backup is not encrypted");
    else if (ageHours > b.maxAgeHours)
      add(
        "backups",
        "Recent encrypted backup",
        "fail",
        msg`the last verified backup is ${Math.round(ageHours)} h old (limit ${b.maxAgeHours} h)`,
      );
    else
      add(
        "backups",
        "Recent encrypted backup",
        "pass",
        msg`last verified backup ${Math.round(ageHours)} h ago, encrypted`,
      );
  }
  return checks;
}

/** Passing checks among those that could be decided, as a percentage; null when none could. */
export function complianceScore(checks: ComplianceCheck[]): {
  passed: number;
  decided: number;
  percent: number | null;
} {
  const decided = checks.filter((c) => c.verdict !== "unknown").length;
  const passed = checks.filter((c) => c.verdict === "pass").length;
  return { passed, decided, percent: decided ? Math.round((100 * passed) / decided) : null };
}
