/**
 * Client-side token buckets (`venues/shared/TokenBucket.ts`), one per endpoint group, timed by the injected Clock.
 * They pace our own requests below Bybit's per-UID limits; they never sleep themselves — they say how long the
 * caller has to wait.
 */
import type { Clock } from '../../../kernel/Clock.ts';
import { TokenBucket } from '../../shared/TokenBucket.ts';
import type { BybitEndpointGroup, BybitRateLimits } from '../BybitConfig.ts';

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
