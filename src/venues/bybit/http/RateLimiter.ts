/**
 * Client-side token buckets, one per endpoint group, timed by the injected Clock. They pace our own requests below
 * Bybit's per-UID limits; they never sleep themselves — they say how long the caller has to wait.
 */
import type { Clock } from '../../../kernel/Clock.ts';
import type { BybitEndpointGroup, BybitRateLimit, BybitRateLimits } from '../BybitConfig.ts';

/** One token bucket. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly limit: BybitRateLimit;
  private readonly clock: Clock;

  constructor(limit: BybitRateLimit, clock: Clock) {
    this.limit = limit;
    this.clock = clock;
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.perSecond) / 1000);
      this.last = now;
    }
  }

  /** Takes a token and returns 0, or returns the ms until one is available (taking nothing). */
  tryTake(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond);
  }

  /** Returns the tokens currently available (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }
}

/** The buckets of all endpoint groups. */
export class BybitRateLimiter {
  private readonly buckets: Readonly<Record<BybitEndpointGroup, TokenBucket>>;
  /** Longest wait a caller should accept before failing with `rate_limited`. */
  readonly maxQueueMs: number;

  constructor(limits: BybitRateLimits, clock: Clock) {
    this.buckets = {
      order: new TokenBucket(limits.order, clock),
      position: new TokenBucket(limits.position, clock),
      account: new TokenBucket(limits.account, clock),
      market: new TokenBucket(limits.market, clock),
    };
    this.maxQueueMs = limits.maxQueueMs;
  }

  /** Takes a token of the group and returns 0, or returns the ms to wait. */
  tryTake(group: BybitEndpointGroup): number {
    return this.buckets[group].tryTake();
  }
}
