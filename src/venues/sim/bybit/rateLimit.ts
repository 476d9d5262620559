/**
 * Per-API-key, per-endpoint request limits of the Bybit façade, in fixed one-second windows as Bybit counts them,
 * and the `X-Bapi-Limit*` headers that report them. Pure: time comes from the caller.
 */

/** Requests allowed per second per key: order-entry endpoints and everything else. */
export interface BybitRateLimits {
  readonly orderPerSecond: number;
  readonly otherPerSecond: number;
}

/** Bybit's default per-UID limits for linear order entry (10/s) and queries (50/s). */
export const DEFAULT_RATE_LIMITS: BybitRateLimits = { orderPerSecond: 10, otherPerSecond: 50 };

const ORDER_ENDPOINTS = new Set(['/v5/order/create', '/v5/order/amend', '/v5/order/cancel', '/v5/order/cancel-all']);

/** The outcome of counting one request. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  readonly resetAt: number;
}

/** Counts requests per (key, endpoint) in one-second windows aligned to the clock's seconds. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly limits: BybitRateLimits;

  constructor(limits: BybitRateLimits) {
    this.limits = limits;
  }

  /** Returns the limit that applies to an endpoint path. */
  limitFor(path: string): number {
    return ORDER_ENDPOINTS.has(path) ? this.limits.orderPerSecond : this.limits.otherPerSecond;
  }

  /** Counts one request at `now` and says whether it fits the window. */
  take(apiKey: string, path: string, now: number): RateDecision {
    const limit = this.limitFor(path);
    const start = now - (now % 1000);
    const id = `${apiKey} ${path}`;
    let w = this.windows.get(id);
    if (w === undefined || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(id, w);
    }
    w.count += 1;
    const allowed = w.count <= limit;
    return { allowed, limit, remaining: Math.max(0, limit - w.count), resetAt: start + 1000 };
  }
}

/** Returns the rate-limit headers Bybit puts on every private response. */
export const rateLimitHeaders = (d: RateDecision): Record<string, string> => ({
  'X-Bapi-Limit-Status': String(d.remaining),
  'X-Bapi-Limit': String(d.limit),
  'X-Bapi-Limit-Reset-Timestamp': String(d.resetAt),
});
