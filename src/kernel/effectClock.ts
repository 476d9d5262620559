/**
 * Effect's `Clock` service backed by tradewarden's Scheduler, so Effect code (retries, supervisor backoff) sleeps on
 * the same clock as the actors and strategies: the virtual clock in replays, the wall clock live (DESIGN §7).
 */
import { Clock as EffectClock, Duration, Effect } from 'effect';
import type { Scheduler } from './Scheduler.ts';

/** Returns an Effect Clock whose time and sleeps come from the scheduler. */
export const effectClockFrom = (scheduler: Scheduler): EffectClock.Clock => ({
  [EffectClock.ClockTypeId]: EffectClock.ClockTypeId,
  unsafeCurrentTimeMillis: () => scheduler.clock.now(),
  currentTimeMillis: Effect.sync(() => scheduler.clock.now()),
  unsafeCurrentTimeNanos: () => BigInt(scheduler.clock.now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(scheduler.clock.now()) * 1_000_000n),
  sleep: (duration) =>
    Effect.async<void>((resume) => {
      const cancel = scheduler.schedule(scheduler.clock.now() + Duration.toMillis(duration), () => resume(Effect.void));
      return Effect.sync(cancel);
    }),
});
