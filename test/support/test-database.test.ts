import { describe, expect, it } from "vitest";
import { assertTestDatabase } from "./test-database";

describe("test database guard", () => {
  it.each(["paillasse", "postgres", "paillasse_prod", "test", "mytest_paillasse"])("refuses %s", (name) => {
    expect(() => assertTestDatabase(`postgresql://postgres@127.0.0.1:5432/${name}`)).toThrow(/Refusing to run tests/);
  });
  it("accepts a database named as a test one", () => {
    expect(() => assertTestDatabase("postgresql://postgres@127.0.0.1:5432/paillasse_test_run_1a2b")).not.toThrow();
  });
});
