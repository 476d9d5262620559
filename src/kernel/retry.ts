/**
 * The retry policy of DESIGN §6 as an Effect Schedule: full jitter (sleep = random(0, min(cap, base·2^n))), at most
 * `maxAttempts` attempts including the first. `Schedule.jittered` is NOT full jitter (it scales by 0.8–1.2), so the
 * delay is drawn from Effect's Random service, which callers seed for determinism.
 */
import { Duration, Effect, Random, Schedule } from 'effect';

/** Parameters of the full-jitter policy. */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  /** Attempts including the first (6 = 1 try + 5 retries). */
  readonly maxAttempts: number;
}

/** The default policy: base 200 ms, cap 5 s, 6 attempts (X-RTY-1). */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 200, capMs: 5000, maxAttempts: 6 };

/** Returns the full-jitter schedule for the policy. */
export const fullJitter = (p: RetryPolicy): Schedule.Schedule<[Duration.Duration, number]> =>
  Schedule.exponential(Duration.millis(p.baseMs), 2).pipe(
    Schedule.modifyDelayEffect((_out, d) => Effect.map(Random.next, (r) => Duration.millis(r * Math.min(p.capMs, Duration.toMillis(d))))),
    Schedule.intersect(Schedule.recurs(Math.max(0, p.maxAttempts - 1))),
  );
