/**
 * The @fastify/rate-limit store of the operations server: fixed windows per key on the injected wall clock (the
 * plugin's own store reads `Date.now()`), bounded in size. One map is shared by every route, so routes that use one
 * key prefix (`control:<address>`) share one budget. Counts only; decides nothing else.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Clock } from '../kernel/Clock.ts';

/** At most this many keys are tracked; the oldest window goes first. */
const MAX_KEYS = 10_000;

interface Window {
  current: number;
  startedAt: number;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Returns a store class (the plugin constructs it) counting on `clock`. */
export const clockRateLimitStore = (clock: Clock): FastifyRateLimitStoreCtor => {
  const windows = new Map<string, Window>();
  class ClockStore implements FastifyRateLimitStore {
    incr(key: string, callback: Callback, timeWindow: number): void {
      const now = clock.now();
      let w = windows.get(key);
      if (w === undefined || w.startedAt + timeWindow <= now) {
        windows.delete(key);
        w = { current: 0, startedAt: now };
        windows.set(key, w);
        while (windows.size > MAX_KEYS) {
          const oldest = windows.keys().next();
          if (oldest.done === true) break;
          windows.delete(oldest.value);
        }
      }
      w.current += 1;
      callback(null, { current: w.current, ttl: w.startedAt + timeWindow - now });
    }

    read(key: string, callback: Callback, timeWindow: number): void {
      const now = clock.now();
      const w = windows.get(key);
      if (w === undefined || w.startedAt + timeWindow <= now) callback(null, { current: 0, ttl: 0 });
      else callback(null, { current: w.current, ttl: w.startedAt + timeWindow - now });
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return ClockStore;
};
