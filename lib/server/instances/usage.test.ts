import { describe, expect, it } from "vitest";
import { API_KEY_PATTERN, parseInfo, usageProblem } from "./usage";

describe("usage figures from /api/v2/info", () => {
  const v504 = {
    elabftw_version: "5.0.4",
    all_users_count: 12,
    active_users_count: 9,
    items_count: 40,
    teams_count: 2,
    experiments_count: 310,
    experiments_timestamped_count: 7,
  };

  it("reads the 5.0 document, and the uploads sum that 5.1.0 adds", () => {
    expect(parseInfo(JSON.stringify(v504))).toEqual({
      elabftwVersion: "5.0.4",
      users: 12,
      activeUsers: 9,
      teams: 2,
      experiments: 310,
      timestampedExperiments: 7,
      items: 40,
      uploadsBytes: null,
    });
    expect(parseInfo(JSON.stringify({ ...v504, uploads_filesize_sum: 1048576 }))?.uploadsBytes).toBe(1048576);
  });

  it("refuses what is not that document", () => {
    expect(parseInfo("<html>Almost there!</html>")).toBeNull();
    expect(parseInfo("null")).toBeNull();
    expect(parseInfo(JSON.stringify({ ...v504, all_users_count: "12" }))).toBeNull();
    expect(parseInfo(JSON.stringify({ ...v504, items_count: -1 }))).toBeNull();
    const { teams_count: _t, ...missing } = v504;
    void _t;
    expect(parseInfo(JSON.stringify(missing))).toBeNull();
  });

  it("says what a failed answer means", () => {
    expect(usageProblem(401, "{}")).toMatch(/refused the API key \(HTTP 401\).*set it again/);
    expect(usageProblem(200, "<h1>Almost there!</h1>")).toMatch(/schema update is pending/);
    expect(usageProblem(502, "")).toMatch(/answered HTTP 502/);
  });

  it("accepts keys shaped like eLabFTW's only", () => {
    expect(API_KEY_PATTERN.test(`3-${"ab12".repeat(21)}`)).toBe(true);
    expect(API_KEY_PATTERN.test(`Bearer 3-${"ab12".repeat(21)}`)).toBe(false);
    expect(API_KEY_PATTERN.test(`${"ab12".repeat(21)}`)).toBe(false);
    expect(API_KEY_PATTERN.test("3-short")).toBe(false);
  });
});
