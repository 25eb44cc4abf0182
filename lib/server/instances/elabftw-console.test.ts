import { describe, expect, it } from "vitest";
import { dbUpdateSucceeded, parseDbCheck, parseHealth } from "./elabftw-console";

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

  it("reads /healthcheck.php", () => {
    expect(parseHealth(200, "ok")).toBe("ok");
    expect(parseHealth(500, "ko\n")).toBe("ko");
    expect(parseHealth(200, "<html>Almost there!</html>")).toBe("unexpected");
  });
});
