/**
 * Timers on the injected clock: the virtual clock runs them when time is advanced to them (no sleeping), the wall
 * clock uses setTimeout. Everything that waits in tradewarden (actor deadlines, decision cycles, backoff) waits here.
 */
import { VirtualClock, wallClock, type Clock } from './Clock.ts';

/** Schedules callbacks at clock times. */
export interface Scheduler {
  readonly clock: Clock;
  /** Runs `fn` at clock time `at` (now if already past); returns a cancel function. */
  schedule(at: number, fn: () => void): () => void;
}

/** A scheduler driven by a VirtualClock. */
export const virtualScheduler = (clock: VirtualClock): Scheduler => ({ clock, schedule: (at, fn) => clock.schedule(at, fn) });

/** A scheduler on a clock that follows wall time (possibly sped up): delays are divided by `speed`. */
export const wallScheduler = (clock: Clock = wallClock, speed = 1): Scheduler => ({
  clock,
  schedule: (at, fn) => {
    const handle = setTimeout(fn, Math.max(0, (at - clock.now()) / speed));
    return () => clearTimeout(handle);
  },
});
