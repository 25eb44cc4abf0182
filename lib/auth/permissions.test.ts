import { describe, expect, it } from "vitest";
import { can, PERMISSIONS, seesWholeFleet, type Permission } from "./permissions";

describe("permissions", () => {
  it("gives the admin everything", () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) expect(can("admin", permission)).toBe(true);
  });

  it("keeps operators away from operators, panel settings and backup repositories (their kits hold every secret), nothing else", () => {
    const denied = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => !can("operator", p));
    expect(denied.sort()).toEqual(["operators.manage", "repositories.manage", "settings.manage"]);
  });

  it("lets a correspondant read their units (and their operations) and manage their own keys, and change nothing else", () => {
    const allowed = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can("correspondant", p));
    expect(allowed.sort()).toEqual(["audit.read", "fleet.read", "keys.own", "operations.read"]);
    expect(seesWholeFleet("correspondant")).toBe(false);
    expect(seesWholeFleet("operator")).toBe(true);
  });
});
