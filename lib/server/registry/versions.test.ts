import { describe, expect, it } from "vitest";
import { stableVersions, updatesFor } from "./versions";

const TAGS = [
  "latest",
  "5.0.4",
  "5.0.3",
  "5.1.0",
  "5.1.0-beta2",
  "5.1.1-alpha",
  "5.2.0-rc.1",
  "5.0.10",
  "hypernext",
  "5.1.0-fault-migration",
];

describe("available versions", () => {
  it("keeps stable semver releases only, in order", () => {
    expect(stableVersions(TAGS)).toEqual(["5.0.3", "5.0.4", "5.0.10", "5.1.0"]);
  });

  it("finds the newest patch of the current line and the newest overall", () => {
    expect(updatesFor("5.0.4", TAGS)).toEqual({ newestPatch: "5.0.10", newest: "5.1.0" });
    expect(updatesFor("5.1.0", TAGS)).toEqual({ newestPatch: null, newest: null });
    expect(updatesFor("5.0.10", TAGS)).toEqual({ newestPatch: null, newest: "5.1.0" });
    expect(updatesFor(null, TAGS)).toEqual({ newestPatch: null, newest: "5.1.0" });
  });
});
