/**
 * A client-side token bucket timed by the injected Clock, for any adapter's request pacing: `burst` tokens at most,
 * refilled at `perSecond`. It never sleeps itself; it says how long the caller has to wait.
 */
import type { Clock } from '../../kernel/Clock.ts';

/** The size and refill rate of a bucket. */
export interface TokenBucketLimit {
  readonly burst: number;
  readonly perSecond: number;
}

/** One token bucket. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly limit: TokenBucketLimit;
  private readonly clock: Clock;

  constructor(limit: TokenBucketLimit, clock: Clock) {
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
