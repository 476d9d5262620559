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

/** A running clock driver; `stop()` clears its timer. */
export interface ClockDriver {
  stop(): void;
}

/**
 * Calls `exchange.advanceTo(clock.now())` every `intervalMs` (default 20 ms) until stopped, then `afterTick`.
 * `clock` should be the clock the engine was created with. Errors go to `onError`, never out of the timer.
 */
export const driveExchange = (
  exchange: SimExchange,
  clock: Clock,
  opts: { readonly intervalMs?: number; readonly afterTick?: () => void; readonly onError?: (error: unknown) => void } = {},
): ClockDriver => {
  const tick = (): void => {
    try {
      // advanceTo with an earlier time is a no-op for the engine, so a clock behind it simply waits.
      exchange.advanceTo(clock.now());
      opts.afterTick?.();
    } catch (error) {
      opts.onError?.(error);
    }
  };
  const timer = setInterval(tick, opts.intervalMs ?? 20);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
