import { describe, expect, it } from "vitest";
import { requiredSchemaFor } from "./elabftw-releases";

describe("the schema each release requires, known without a database", () => {
  it("reads the table at its edges", () => {
    expect(requiredSchemaFor("5.0.4")).toBe(144);
    expect(requiredSchemaFor("5.1.0")).toBe(165);
    expect(requiredSchemaFor("5.1.7")).toBe(165);
    expect(requiredSchemaFor("5.1.8")).toBe(166);
    expect(requiredSchemaFor("5.3.0")).toBe(185);
    expect(requiredSchemaFor("5.3.2")).toBe(186);
    expect(requiredSchemaFor("5.5.14")).toBe(206);
    expect(requiredSchemaFor("5.6.12")).toBe(217);
    expect(requiredSchemaFor("6.0.0-alpha")).toBe(220);
    expect(requiredSchemaFor("6.0.0-alpha4")).toBe(223);
  });

  it("says nothing of a release it does not know, nor of what is not a version", () => {
    for (const v of ["4.9.0", "5.0.5", "5.6.13", "6.0.0", "7.0.0", "latest", "", null, undefined, "5.1"]) {
      expect(requiredSchemaFor(v), String(v)).toBeNull();
    }
  });
});
