import { describe, expect, it } from "vitest";
import { englishText, msg } from "../../i18n/message";
import {
  dbUpdateMilestones,
  dbUpdateSucceeded,
  decisiveLine,
  describeConsoleFailure,
  isAlmostTherePage,
  parseDbCheck,
  parseHealth,
} from "./elabftw-console";

const report = (current: number, required: number, verdict: string) =>
  `\nDatabase check\n==============\nCurrent version: ${current}\nRequired version: ${required}\n${verdict}\n`;

describe("eLabFTW console output", () => {
  it("reads db:check by its text", () => {
    expect(parseDbCheck(report(165, 165, "No upgrade required."))).toEqual({
      current: 165,
      required: 165,
      upToDate: true,
      ahead: false,
    });
    expect(parseDbCheck(report(144, 165, "An upgrade is required."))).toEqual({
      current: 144,
      required: 165,
      upToDate: false,
      ahead: false,
    });
    // A downgraded image also says "An upgrade is required.": the numbers tell it is ahead.
    expect(parseDbCheck(report(165, 144, "An upgrade is required."))).toMatchObject({ upToDate: false, ahead: true });
  });

  it("refuses what is not a db:check report (the console can exit 0 without running)", () => {
    expect(parseDbCheck("")).toBeNull();
    expect(parseDbCheck("PHP Warning: could not decrypt the SMTP password\n")).toBeNull();
    expect(parseDbCheck("Current version: 144\nRequired version: 165\n")).toBeNull();
  });

  it("judges db:update by exit code and text together", () => {
    expect(dbUpdateSucceeded(0, "Database update starting\n...\nAll done.\n")).toBe(true);
    expect(dbUpdateSucceeded(0, "")).toBe(false);
    expect(dbUpdateSucceeded(255, "All done.\n")).toBe(false);
  });

  it("expects the closing line of the target release: All done. up to 5.4, Updated to schema N. from 5.5", () => {
    const old = "Database update starting\n========================\nExecuting: ALTER TABLE x;\nAll done.\n";
    const recent =
      "Database update starting\n========================\nExecuting: ALTER TABLE x;\nUpdated to schema 217.\n";
    expect(dbUpdateSucceeded(0, old, "5.1.0")).toBe(true);
    expect(dbUpdateSucceeded(0, recent, "5.1.0")).toBe(false);
    expect(dbUpdateSucceeded(0, recent, "5.6.12")).toBe(true);
    expect(dbUpdateSucceeded(0, old, "5.6.12")).toBe(false);
    expect(dbUpdateSucceeded(0, recent, "6.0.0-alpha4")).toBe(true);
    // A version the panel cannot read (a "latest" tag): either closing line.
    expect(dbUpdateSucceeded(0, recent, "latest")).toBe(true);
    expect(dbUpdateSucceeded(0, old, null)).toBe(true);
    expect(dbUpdateSucceeded(0, "Database update starting\n", "5.6.12")).toBe(false);
    expect(dbUpdateSucceeded(255, recent, "5.6.12")).toBe(false);
    expect(dbUpdateMilestones(`${recent}| SCHEMA217.SQL |\nSCHEMA216.SQL\n`)).toEqual([
      "Database update starting",
      "Updated to schema 217.",
      "SCHEMA216.SQL",
    ]);
  });

  it("knows the Almost there! page by its text and the release's status: 200 up to 5.5.13, 500 from 5.5.14", () => {
    const page = "<html><h1>Almost there!</h1></html>";
    expect(isAlmostTherePage(200, page, "5.1.0")).toBe(true);
    expect(isAlmostTherePage(500, page, "5.1.0")).toBe(false);
    expect(isAlmostTherePage(500, page, "5.6.12")).toBe(true);
    expect(isAlmostTherePage(500, page, "6.0.0-alpha4")).toBe(true);
    expect(isAlmostTherePage(200, page, "6.0.0-alpha4")).toBe(false);
    expect(isAlmostTherePage(500, page, null)).toBe(true);
    expect(isAlmostTherePage(200, "<html>Login</html>", null)).toBe(false);
  });

  it("reads /healthcheck.php", () => {
    expect(parseHealth(200, "ok")).toBe("ok");
    expect(parseHealth(500, "ko\n")).toBe("ko");
    expect(parseHealth(200, "<html>Almost there!</html>")).toBe("unexpected");
  });

  it("names the line that says why a console run failed, not a deprecation or usage line", () => {
    const deprecated =
      "PHP Deprecated:  Creation of dynamic property Elabftw\\Elabftw\\Db::$x is deprecated in /elabftw/src/classes/Db.php on line 40";
    // A lost database: Symfony's error block after PHP's chatter, then the usage line.
    const lost = {
      exitCode: 1,
      stdout: "",
      stderr: `${deprecated}\n\nIn Db.php line 61:\n\n  SQLSTATE[HY000] [1049] Unknown database 'elabftw'\n\n\ndb:check [-h|--help] [-q|--quiet]\n`,
    };
    expect(decisiveLine(lost)).toBe("SQLSTATE[HY000] [1049] Unknown database 'elabftw'");
    expect(englishText(describeConsoleFailure("bin/console db:check", lost))).toBe(
      "bin/console db:check failed (exit 1): SQLSTATE[HY000] [1049] Unknown database 'elabftw'",
    );
    // A PHP fatal wins over everything printed before it.
    const fatal = {
      exitCode: 255,
      stdout: "Database update starting\n",
      stderr: `${deprecated}\nPHP Fatal error:  Uncaught TypeError: foo() in /elabftw/src/Update.php:12\nStack trace:\n#0 {main}\n`,
    };
    expect(decisiveLine(fatal)).toMatch(/^PHP Fatal error: {2}Uncaught TypeError/);
    // A logged critical line.
    expect(
      decisiveLine({ stdout: "", stderr: `${deprecated}\n[2026-12-05] app.CRITICAL: [critical] mail failed\n` }),
    ).toMatch(/\[critical\] mail failed/);
    // Exit 0 without running: say so, and what it printed.
    expect(
      englishText(
        describeConsoleFailure("bin/console db:check", {
          exitCode: 0,
          stdout: "",
          stderr: `${deprecated}\nCould not decrypt the SMTP password\n`,
        }),
      ),
    ).toBe("bin/console db:check exited 0 without giving its answer; it printed: Could not decrypt the SMTP password");
    expect(
      englishText(describeConsoleFailure("bin/console db:check", { exitCode: 0, stdout: "", stderr: deprecated })),
    ).toBe("bin/console db:check exited 0 without giving its answer and printed nothing");
  });
});

describe("console failures in French", () => {
  it("translates the sentence and keeps the console's own line as printed", async () => {
    const { localizeServerText } = await import("../../i18n/server-messages");
    const lost = {
      exitCode: 1,
      stdout: "",
      stderr: "\nIn Db.php line 61:\n\n  SQLSTATE[HY000] [1049] Unknown database 'elabftw'\n",
    };
    expect(localizeServerText(msg`${describeConsoleFailure("bin/console db:check", lost)}.`, "fr")).toBe(
      "bin/console db:check a échoué (code 1) : SQLSTATE[HY000] [1049] Unknown database 'elabftw'.",
    );
    const silent = { exitCode: 0, stdout: "", stderr: "" };
    expect(localizeServerText(msg`${describeConsoleFailure("bin/console db:update", silent)}.`, "fr")).toBe(
      "bin/console db:update s'est terminé (code 0) sans donner sa réponse ni rien afficher.",
    );
  });
});
