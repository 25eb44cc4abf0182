import { describe, expect, it } from "vitest";
import { SignInLimiter } from "./rate-limit";

const limits = { perAddress: 4, perCredential: 2, windowSeconds: 60, blockSeconds: 120 };

describe("sign-in rate limits", () => {
  it("blocks a credential after its failures, whatever the address", async () => {
    const limiter = new SignInLimiter("memory", limits);
    expect(await limiter.retryAfter("10.0.0.1", "cred-a")).toBe(0);
    await limiter.failed("10.0.0.1", "cred-a");
    expect(await limiter.retryAfter("10.0.0.2", "cred-a")).toBe(0);
    await limiter.failed("10.0.0.2", "cred-a");
    const wait = await limiter.retryAfter("10.0.0.3", "cred-a");
    expect(wait).toBeGreaterThan(60);
    expect(wait).toBeLessThanOrEqual(120);
    // Another key from a fresh address is not affected.
    expect(await limiter.retryAfter("10.0.0.3", "cred-b")).toBe(0);
  });

  it("blocks an address after its failures, whatever the credential", async () => {
    const limiter = new SignInLimiter("memory", limits);
    for (const cred of ["a", "b", "c", "d"]) await limiter.failed("10.0.0.9", cred);
    expect(await limiter.retryAfter("10.0.0.9", "never-seen")).toBeGreaterThan(0);
    expect(await limiter.retryAfter("10.0.0.10", "never-seen")).toBe(0);
  });

  it("clears a credential's failures on success", async () => {
    const limiter = new SignInLimiter("memory", limits);
    await limiter.failed(null, "cred-z");
    await limiter.succeeded("cred-z");
    await limiter.failed(null, "cred-z");
    expect(await limiter.retryAfter(null, "cred-z")).toBe(0);
  });
});
