import pg from "pg";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import { env } from "../env";

/**
 * Failed sign-ins are limited per client address and per credential
 * (rate-limiter-flexible: a well-kept limiter with blocking windows). Only
 * failures count, malformed attempts included; a success clears the
 * credential's count. The counters live in PostgreSQL (the library's store,
 * table "RateLimitCounter", created by a migration): every panel process sees
 * the same counts, and a restart does not hand an attacker fresh attempts.
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

/** Where the counters live: PostgreSQL (a pg pool) in the panel, memory only for unit tests of the arithmetic. */
export type CounterStore = { pool: pg.Pool } | "memory";

export const RATE_LIMIT_TABLE = "RateLimitCounter";

export class SignInLimiter {
  private readonly byAddress: RateLimiterAbstract;
  private readonly byCredential: RateLimiterAbstract;

  constructor(
    store: CounterStore,
    readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {
    const base = { duration: limits.windowSeconds, blockDuration: limits.blockSeconds };
    const make = (points: number, keyPrefix: string): RateLimiterAbstract =>
      store === "memory"
        ? new RateLimiterMemory({ ...base, points, keyPrefix })
        : new RateLimiterPostgres({
            ...base,
            points,
            keyPrefix,
            storeClient: store.pool,
            storeType: "pool",
            tableName: RATE_LIMIT_TABLE,
            tableCreated: true,
          });
    this.byAddress = make(limits.perAddress, "sign-in:addr");
    this.byCredential = make(limits.perCredential, "sign-in:cred");
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
    for (const [limiter, key, max] of [
      [this.byAddress, address, this.limits.perAddress],
      [this.byCredential, credentialId, this.limits.perCredential],
    ] as const) {
      if (!key) continue;
      const res = await limiter.penalty(key, 1);
      // Crossing the limit starts the block window.
      if (res.consumedPoints >= max) await limiter.block(key, this.limits.blockSeconds);
    }
  }

  async succeeded(credentialId: string): Promise<void> {
    await this.byCredential.delete(credentialId);
  }

  private async waitOf(limiter: RateLimiterAbstract, key: string, max: number): Promise<number> {
    const res: RateLimiterRes | null = await limiter.get(key);
    if (!res || res.consumedPoints < max) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }
}

/** The web process's limiter: counters in the panel's database, through a small pool of its own. */
const holder = globalThis as unknown as { paillasseSignInLimiter?: SignInLimiter };
export function signInLimiter(): SignInLimiter {
  holder.paillasseSignInLimiter ??= new SignInLimiter({
    pool: new pg.Pool({ connectionString: env().DATABASE_URL, max: 2, connectionTimeoutMillis: 10_000 }),
  });
  return holder.paillasseSignInLimiter;
}
