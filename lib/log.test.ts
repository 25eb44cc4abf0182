import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { cleanRequestId, createLogger, pathOnly } from "./log";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger(stream) };
}

describe("panel log", () => {
  it("writes one JSON object per line with an ISO time, a level name and the request id", () => {
    const { lines, logger } = capture();
    logger.child({ reqId: "req-12345678" }).info({ path: "/hosts" }, "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", app: "paillasse", reqId: "req-12345678", msg: "request" });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("never writes a secret found under a secret-looking name, at any depth", () => {
    const { lines, logger } = capture();
    logger.warn(
      { host: "smtp.unit.example", password: "hunter2", nested: { DB_PASSWORD: "x1", list: [{ apiToken: "t0k" }] } },
      "mail failed",
    );
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/hunter2|x1|t0k/);
    expect(lines[0]).toMatchObject({ host: "smtp.unit.example", password: "[redacted]" });
  });

  it("keeps errors' message and stack", () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error("boom") }, "Route failed");
    expect(lines[0]!.err).toMatchObject({ type: "Error", message: "boom" });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain("log.test.ts");
  });

  it("logs paths without query strings, and accepts only sane request ids", () => {
    expect(pathOnly("/enrol?token=secret#x")).toBe("/enrol");
    expect(cleanRequestId("3f0a8c1e-5b7d-4e29")).toBe("3f0a8c1e-5b7d-4e29");
    expect(cleanRequestId("short")).toBeNull();
    expect(cleanRequestId("a b c d e f g h i")).toBeNull();
    expect(cleanRequestId('x"; DROP TABLE--')).toBeNull();
  });
});
