/**
 * Pieces shared by the simulator's loopback servers: an accelerated clock over an injected base clock, and the timer
 * that drives a `SimExchange` along such a clock. Reads wall time only through the kernel's `wallClock`; never runs a
 * server by itself (see `bybit/BybitSimServer.ts`).
 */
import { wallClock, type Clock } from '../../kernel/Clock.ts';
import type { SimExchange } from './engine/types.ts';

/**
 * Returns a clock that starts at `startAt` and runs `speed` times as fast as `base` (the wall clock by default):
 * `now() = startAt + (base.now() - base.now() at creation) * speed`, floored to whole ms.
 */
export const acceleratedClock = (speed: number, startAt: number, base: Clock = wallClock): Clock => {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive finite number, got ${speed}`);
  const origin = base.now();
  return { now: () => startAt + Math.floor((base.now() - origin) * speed) };
};

/** Counts of a driver's timer ticks: those that advanced the engine and those skipped while paused. */
export interface ClockDriverTicks {
  readonly advanced: number;
  readonly skippedWhilePaused: number;
}

/** A running clock driver; `stop()` clears its timer. */
export interface ClockDriver {
  stop(): void;
  /**
   * Advances the engine to `clock.now()` once more, then stops advancing it until `resume()`; returns the time the
   * engine is frozen at. Pausing a paused driver changes nothing and returns the same time.
   */
  pause(): number;
  /**
   * Lets the timer advance the engine again and catches up at once: every replayed event between the pause and
   * `clock.now()` is processed in this one step (TP/SL crossed meanwhile fire here). Returns the time reached.
   */
  resume(): number;
  /** Tells whether the driver is paused. */
  isPaused(): boolean;
  /** Returns the latest time the driver advanced the engine to (undefined before its first tick). */
  drivenTo(): number | undefined;
  /** Returns how many timer ticks advanced the engine and how many were skipped while paused. */
  ticks(): ClockDriverTicks;
}

/**
 * Calls `exchange.advanceTo(clock.now())` every `intervalMs` (default 20 ms) until stopped, then `afterTick`.
 * `clock` should be the clock the engine was created with. Errors go to `onError`, never out of the timer. While
 * paused the timer keeps running but leaves the engine (and `afterTick`) alone; the clock itself is not stopped, so
 * API calls made meanwhile are stamped with the clock's time.
 */
export const driveExchange = (
  exchange: SimExchange,
  clock: Clock,
  opts: { readonly intervalMs?: number; readonly afterTick?: () => void; readonly onError?: (error: unknown) => void } = {},
): ClockDriver => {
  let paused = false;
  let drivenTo: number | undefined;
  let advanced = 0;
  let skippedWhilePaused = 0;
  const advance = (): void => {
    try {
      const t = clock.now();
      // advanceTo with an earlier time is a no-op for the engine, so a clock behind it simply waits.
      exchange.advanceTo(t);
      drivenTo = drivenTo === undefined ? t : Math.max(drivenTo, t);
      opts.afterTick?.();
    } catch (error) {
      opts.onError?.(error);
    }
  };
  const tick = (): void => {
    if (paused) {
      skippedWhilePaused += 1;
      return;
    }
    advanced += 1;
    advance();
  };
  const timer = setInterval(tick, opts.intervalMs ?? 20);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    pause: () => {
      if (!paused) {
        advance();
        paused = true;
      }
      return drivenTo ?? clock.now();
    },
    resume: () => {
      if (paused) {
        paused = false;
        advance();
      }
      return drivenTo ?? clock.now();
    },
    isPaused: () => paused,
    drivenTo: () => drivenTo,
    ticks: () => ({ advanced, skippedWhilePaused }),
  };
};
