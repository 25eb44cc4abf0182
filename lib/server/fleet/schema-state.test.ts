import { describe, expect, it } from "vitest";
import { schemaState } from "./find-fleet";

describe("the schema column of the fleet", () => {
  it("says in sync, behind or ahead from what db:check last said, and not checked without it", () => {
    const detail = "x";
    expect(schemaState({ current: 165, required: 165, upToDate: true, ahead: false, detail })).toEqual({
      state: "in_sync",
      current: 165,
      required: 165,
    });
    expect(schemaState({ current: 144, required: 165, upToDate: false, ahead: false, detail }).state).toBe("behind");
    expect(schemaState({ current: 170, required: 165, upToDate: false, ahead: true, detail }).state).toBe("ahead");
    expect(schemaState({ detail: "bin/console db:check failed" }).state).toBe("unknown");
    expect(schemaState(undefined)).toEqual({ state: "unknown", current: null, required: null });
  });
});
