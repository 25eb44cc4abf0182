import { describe, expect, it } from "vitest";
import { instancesOnHost } from "./instances-on-host";

describe("the instances of a host", () => {
  it("lists an instance with its web and database on the host once, in both roles", () => {
    const ref = { id: "1", name: "elab-ref" };
    const other = { id: "2", name: "elab-bio" };
    expect(instancesOnHost([ref, other], [ref])).toEqual([
      { id: "2", name: "elab-bio", roles: ["web"] },
      { id: "1", name: "elab-ref", roles: ["web", "database"] },
    ]);
    expect(instancesOnHost([], [other])).toEqual([{ id: "2", name: "elab-bio", roles: ["database"] }]);
    expect(instancesOnHost([], [])).toEqual([]);
  });
});
