import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";

/**
 * Failed sign-ins are limited per client address and per credential
 * (rate-limiter-flexible: a well-kept limiter with blocking windows). Only
 * failures count; a success clears the credential's count. The counters live
 * in the panel's process: one panel per site behind the VPN is the design;
 * with several replicas each keeps its own (stricter limits would need a
 * shared store, which the library also offers).
 */
export interface SignInLimits {
  /** Failures allowed per address, then that address waits `blockSeconds`. */
  perAddress: number;
  /** Failures allowed per credential, then that key waits `blockSeconds`. */
  perCredential: number;
  windowSeconds: number;
  blockSeconds: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAddress: 20,
  perCredential: 5,
  windowSeconds: 15 * 60,
  blockSeconds: 15 * 60,
};

export class SignInLimiter {
  private readonly byAddress: RateLimiterMemory;
  private readonly byCredential: RateLimiterMemory;

  constructor(readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS) {
    const base = { duration: limits.windowSeconds, blockDuration: limits.blockSeconds };
    this.byAddress = new RateLimiterMemory({ ...base, points: limits.perAddress, keyPrefix: "addr" });
    this.byCredential = new RateLimiterMemory({ ...base, points: limits.perCredential, keyPrefix: "cred" });
  }

  /** Seconds to wait before this address (or this credential) may try again; 0 when it may. */
  async retryAfter(address: string | null, credentialId: string | null): Promise<number> {
    const waits = await Promise.all([
      address ? this.waitOf(this.byAddress, address, this.limits.perAddress) : 0,
      credentialId ? this.waitOf(this.byCredential, credentialId, this.limits.perCredential) : 0,
    ]);
    return Math.max(...waits);
  }

  async failed(address: string | null, credentialId: string | null): Promise<void> {
    await Promise.all([
      address ? this.byAddress.penalty(address, 1) : null,
      credentialId ? this.byCredential.penalty(credentialId, 1) : null,
    ]);
    // Crossing the limit starts the block window.
    for (const [limiter, key, max] of [
      [this.byAddress, address, this.limits.perAddress],
      [this.byCredential, credentialId, this.limits.perCredential],
    ] as const) {
      if (!key) continue;
      const res = await limiter.get(key);
      if (res && res.consumedPoints >= max) await limiter.block(key, this.limits.blockSeconds);
    }
  }

  async succeeded(credentialId: string): Promise<void> {
    await this.byCredential.delete(credentialId);
  }

  private async waitOf(limiter: RateLimiterMemory, key: string, max: number): Promise<number> {
    const res: RateLimiterRes | null = await limiter.get(key);
    if (!res || res.consumedPoints < max) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }
}

/** The web process's limiter (one per process, shared by every request). */
const holder = globalThis as unknown as { paillasseSignInLimiter?: SignInLimiter };
export function signInLimiter(): SignInLimiter {
  holder.paillasseSignInLimiter ??= new SignInLimiter();
  return holder.paillasseSignInLimiter;
}
